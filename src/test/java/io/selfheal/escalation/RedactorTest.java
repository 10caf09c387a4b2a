package io.selfheal.escalation;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The redactor on every form of secret the secrets scan uses, and on the forms it found leaking: a header named like a
 * secret (an inbound {@code ?token=} becomes a header {@code token}), and secrets inside JSON, XML and URL-encoded
 * text (upstream error bodies end up in error samples). What is not a secret stays readable.
 */
class RedactorTest {
    private final Redactor redactor = new Redactor(Set.of("X-Tenant-Secret"));

    @Test
    void sensitiveHeadersByNameConfigurationAndLook() {
        for (String name : new String[] {"Authorization", "proxy-authorization", "Cookie", "Set-Cookie", "X-Api-Key",
                "x-tenant-secret", "token", "access_token", "X-Session-Id", "client_secret", "X-Amz-Security-Token",
                "X-Auth-Token", "db.password", "X-Signature"}) {
            assertThat(redactor.isSensitiveHeader(name)).as(name).isTrue();
        }
        for (String name : new String[] {"Idempotency-Key", "Content-Type", "CamelHttpResponseCode", "orderId",
                "breadcrumbId", "SelfhealUpstream", "CamelFileName", "X-Request-Id", "Accept"}) {
            assertThat(redactor.isSensitiveHeader(name)).as(name).isFalse();
        }
        assertThat(Redactor.defaults().isSensitiveHeader("X-Tenant-Secret")).as("configured header, and its name looks secret")
                .isTrue();
        assertThat(new Redactor(Set.of("X-Customer-Ref")).isSensitiveHeader("x-customer-ref")).isTrue();
        assertThat(Redactor.defaults().isSensitiveHeader("X-Customer-Ref")).isFalse();
    }

    @Test
    void headerValuesAreMaskedAndOthersKeptReadable() {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer abc.def");
        headers.put("token", "t0k3n");
        headers.put("Idempotency-Key", "order-7");
        headers.put("CamelHttpUri", "http://h/in?token=t0k3n&page=2");
        assertThat(redactor.headers(headers)).containsEntry("Authorization", "***").containsEntry("token", "***")
                .containsEntry("Idempotency-Key", "order-7").containsEntry("CamelHttpUri", "http://h/in?token=***&page=2");
    }

    @Test
    void secretsInUrlsHeadersDumpsJsonXmlAndEncodedTextAreMasked() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("http://bob:pw1@h:80/x?token=t1&page=2", "http://bob:***@h:80/x?token=***&page=2");
        cases.put("https://h/x?access_token=t2&apiKey=k2&authPassword=p2", "https://h/x?access_token=***&apiKey=***&authPassword=***");
        cases.put("Authorization: Bearer abcdef", "Authorization: ***");
        cases.put("sent Bearer abcdef123 to h", "sent Bearer *** to h");
        cases.put("Set-Cookie: sid=s3; Path=/", "Set-Cookie: ***");
        cases.put("{\"error\":\"invalid\",\"access_token\":\"t3\"}", "{\"error\":\"invalid\",\"access_token\":\"***\"}");
        cases.put("{\"X-Api-Key\" : \"k3\", \"n\":1}", "{\"X-Api-Key\" : \"***\", \"n\":1}");
        cases.put("{'password': 'p\\'4'}", "{'password': '***'}");
        cases.put("<session id=\"1\">s5</session><ok>1</ok>", "<session id=\"1\">***</session><ok>1</ok>");
        cases.put("redirect=%2Fcb%3Frefresh_token%3Dt6%26x%3D1", "redirect=%2Fcb%3Frefresh_token%3D***%26x%3D1");
        cases.put("state=user%3Dbob%26password%3Dpw8%26x%3D1 token%3Dt9", "state=user%3Dbob%26password%3D***%26x%3D1 token%3D***");
        cases.put("client_secret=c7&grant_type=client_credentials", "client_secret=***&grant_type=client_credentials");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            assertThat(redactor.text(c.getKey())).as(c.getKey()).isEqualTo(c.getValue());
        }
    }

    @Test
    void ordinaryTextIsLeftAlone() {
        for (String text : new String[] {"HTTP 503 from http://inventory:8080/items/7: busy",
                "{\"orderId\":\"o-7\",\"amount\":12.5,\"idempotencyKey\":\"k-1\"}", "<order><id>7</id></order>",
                "tried 8 times over 4m12s, all attempts returned HTTP 503 from inventory"}) {
            assertThat(redactor.text(text)).isEqualTo(text);
        }
    }
}
