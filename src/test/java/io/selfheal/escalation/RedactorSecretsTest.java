package io.selfheal.escalation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** What the Redactor masks in text an upstream chose, and that it stays linear on hostile text. */
class RedactorSecretsTest {
    private final Redactor redactor = Redactor.defaults();

    @Test
    void secretFieldsInAnEchoedJsonBodyAreMasked() {
        String body = "{\"error\":\"invalid credentials\",\"api_key\":\"ak123\",\"token\": \"t0k\",\"password\":\"pw\\\"x\","
                + "\"cookie\":\"session=s1; theme=dark\",\"client_secret\":42,\"username\":\"alice\"}";
        String out = redactor.text(body);
        assertThat(out).doesNotContain("ak123", "t0k", "pw\\\"x", "s1", "theme=dark", "42")
                .contains("\"error\":\"invalid credentials\"", "\"username\":\"alice\"", "\"api_key\":\"***\"",
                        "\"client_secret\":***");
        // the error sample turns double quotes into single ones before redacting: the same holds
        assertThat(redactor.text(body.replace('"', '\''))).doesNotContain("ak123", "t0k", "s1").contains("'api_key':'***'");
    }

    @Test
    void secretElementsInAnEchoedXmlBodyAreMasked() {
        String body = "<fault><user>alice</user><password>pw1</password><ns:ApiKey type=\"x\">ak2</ns:ApiKey>"
                + "<sessionToken>st3</sessionToken></fault>";
        String out = redactor.text(body);
        assertThat(out).doesNotContain("pw1", "ak2", "st3").contains("<user>alice</user>", "<password>***</password>",
                "<ns:ApiKey type=\"x\">***</ns:ApiKey>");
    }

    @Test
    void theEarlierPatternsStillHold() {
        assertThat(redactor.text("GET https://bob:hunter2@api.example/v1?token=abc&api_key=def&page=2"))
                .isEqualTo("GET https://bob:***@api.example/v1?token=***&api_key=***&page=2");
        assertThat(redactor.text("sent Authorization: Bearer eyJabc.def, Cookie: session=s; X-Api-Key=k9"))
                .doesNotContain("eyJabc", "session=s", "k9");
        assertThat(redactor.text("Proxy-Authorization: Basic cHJveHk6cHc=")).doesNotContain("cHJveHk6cHc=");
    }

    /**
     * Hostile text of 2 MB in the shapes that made the earlier patterns quadratic (a 40 kB body of "a.a.a..." took
     * minutes). The bound is a hang guard, not a speed claim: a linear pass takes well under a second.
     */
    @ParameterizedTest
    @ValueSource(strings = {"a.", "x", "\"password", "http://a:", "authorization   ", "<password>", "'token':", "token=",
            "Bearer ", "-"})
    void hostileTextIsRedactedInLinearTime(String unit) {
        String hostile = unit.repeat(2_000_000 / unit.length());
        String out = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> redactor.text(hostile));
        assertThat(out).isNotNull();
    }

    @Test
    void aSampleOfAHugeBodyRedactsOnlyWhatItShows() {
        String body = "{\"password\":\"pw1\"," + "\"filler\":\"a.a.a\",".repeat(1_000_000) + "}";
        String sample = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> redactor.sample(body, 300));
        assertThat(sample).doesNotContain("pw1").startsWith("{\"password\":\"***\"")
                .endsWith("more characters)");
        assertThat(sample.length()).isLessThan(400);
        assertThat(redactor.sample("short token=abc", 300)).isEqualTo("short token=***");
        assertThat(redactor.sample(null, 300)).isNull();
    }
}
