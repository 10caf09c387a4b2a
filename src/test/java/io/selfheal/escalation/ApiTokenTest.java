package io.selfheal.escalation;

import io.selfheal.camel.escalation.ParkedApiRoutes;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parked API's token check (ParkedApiRoutes uses it for both header forms): only the exact token passes; the
 * comparison is of SHA-256 digests with MessageDigest.isEqual, so neither the position of the first wrong character
 * nor the length of the guess changes how long it takes.
 */
class ApiTokenTest {
    static final String TOKEN = "s3cr3t-token-0123456789";

    @Test
    void onlyTheExactTokenMatches() {
        assertThat(ApiToken.matches(TOKEN, TOKEN)).isTrue();
        assertThat(ApiToken.matches(TOKEN, new String(TOKEN.toCharArray()))).as("by value, not identity").isTrue();
        for (String wrong : new String[] {null, "", " ", TOKEN + "x", TOKEN.substring(1), TOKEN.substring(0, 10),
                TOKEN.toUpperCase(), " " + TOKEN, TOKEN + " ", "x" + TOKEN.substring(1), TOKEN.replace('9', '8'),
                "s3cr3t-token-0123456789\u0000"}) {
            assertThat(ApiToken.matches(TOKEN, wrong)).as("'%s'", wrong).isFalse();
        }
    }

    @Test
    void nothingMatchesWhenNoTokenIsConfigured() {
        assertThat(ApiToken.matches(null, null)).isFalse();
        assertThat(ApiToken.matches(null, TOKEN)).isFalse();
        assertThat(ApiToken.matches("", "")).isFalse();
    }

    @Test
    void nonAsciiTokensCompareByTheirUtf8Bytes() {
        assertThat(ApiToken.matches("tøken-ünïcode-✓-long-enough", "tøken-ünïcode-✓-long-enough")).isTrue();
        assertThat(ApiToken.matches("tøken-ünïcode-✓-long-enough", "token-unicode-?-long-enough")).isFalse();
    }
}
