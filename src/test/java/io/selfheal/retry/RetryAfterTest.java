package io.selfheal.retry;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @Test
    void deltaSeconds() {
        assertThat(RetryAfter.parse("120", null, NOW)).contains(Duration.ofSeconds(120));
        assertThat(RetryAfter.parse(" 0 ", null, NOW)).contains(Duration.ZERO);
    }

    @Test
    void imfFixdateAgainstOurClock() {
        assertThat(RetryAfter.parse("Sat, 28 Nov 2026 12:00:30 GMT", null, NOW)).contains(Duration.ofSeconds(30));
    }

    @Test
    void httpDateIsReadAgainstTheResponseDateHeader() {
        // the server's clock is 10 minutes behind ours; it asks for 30 s, which must not shrink to nothing
        Optional<Duration> wait = RetryAfter.parse("Sat, 28 Nov 2026 11:50:30 GMT", "Sat, 28 Nov 2026 11:50:00 GMT", NOW);
        assertThat(wait).contains(Duration.ofSeconds(30));
    }

    @Test
    void obsoleteDateFormsAreAccepted() {
        assertThat(RetryAfter.parse("Saturday, 28-Nov-26 12:01:00 GMT", null, NOW)).contains(Duration.ofSeconds(60));
        assertThat(RetryAfter.parse("Sat Nov 28 12:00:05 2026", null, NOW)).contains(Duration.ofSeconds(5));
    }

    @Test
    void aDateInThePastMeansNoWait() {
        assertThat(RetryAfter.parse("Sat, 28 Nov 2026 11:00:00 GMT", null, NOW)).contains(Duration.ZERO);
    }

    @Test
    void garbageNegativeFractionsAndEnormousValuesAreUnreadableNotErrors() {
        for (String bad : new String[] {"", "  ", "-5", "1.5", "soon", "1e9", "99999999999999999999999",
                "Sat, 99 Nov 2026 12:00:00 GMT", "x".repeat(10_000), "\u0000\u0001", "+3", "0x10"}) {
            assertThat(RetryAfter.parse(bad, null, NOW)).as("'%s'", bad.length() > 20 ? bad.substring(0, 20) : bad).isEmpty();
        }
        assertThat(RetryAfter.parse(null, null, NOW)).isEmpty();
    }

    @Test
    void aGarbageDateHeaderFallsBackToOurClock() {
        assertThat(RetryAfter.parse("Sat, 28 Nov 2026 12:00:10 GMT", "yesterday", NOW)).contains(Duration.ofSeconds(10));
    }
}
