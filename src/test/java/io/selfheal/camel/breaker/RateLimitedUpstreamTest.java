package io.selfheal.camel.breaker;

import io.selfheal.testing.RateLimitedUpstream;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The test upstream itself: its bucket admits no more than the limit allows, and its journal counts what came. */
class RateLimitedUpstreamTest {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HttpResponse<String> post(RateLimitedUpstream upstream, String id) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(upstream.baseUrl() + "/messages/" + id))
                .timeout(Duration.ofSeconds(5))
                .header("Idempotency-Key", "key-" + id)
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void admitsNoMoreThanBurstPlusRateTimesElapsedAndThrottlesTheRestWithRetryAfter() throws Exception {
        try (RateLimitedUpstream upstream = new RateLimitedUpstream(50, 5)) {
            int ok = 0;
            long start = System.nanoTime();
            upstream.reset();
            for (int i = 0; i < 200; i++) {
                HttpResponse<String> response = post(upstream, String.valueOf(i));
                if (response.statusCode() == 200) {
                    ok++;
                } else {
                    assertThat(response.statusCode()).isEqualTo(429);
                    assertThat(response.headers().firstValue("Retry-After")).contains("1");
                }
            }
            double elapsedSeconds = (System.nanoTime() - start) / 1e9;

            assertThat(ok).isGreaterThanOrEqualTo(5).isLessThanOrEqualTo((int) (5 + 50 * elapsedSeconds + 1));
            assertThat(upstream.calls()).isEqualTo(200);
            assertThat(upstream.accepted()).isEqualTo(ok);
            assertThat(upstream.throttled()).isEqualTo(200 - ok);
            assertThat(upstream.callsFor("7")).isEqualTo(1);
            assertThat(upstream.callsPerId()).hasSize(200);
            assertThat(upstream.journal()).allSatisfy(c -> assertThat(c.idempotencyKey()).isEqualTo("key-" + c.id()));
            assertThat(Arrays.stream(upstream.arrivalsPerSecond()).sum()).isEqualTo(200);
            assertThat(Arrays.stream(upstream.acceptedPerSecond()).sum()).isEqualTo(ok);
            assertThat(upstream.maxArrivalsWithin(Duration.ofDays(1))).isEqualTo(200);
            assertThat(upstream.maxArrivalsWithin(Duration.ofNanos(1))).isEqualTo(1);
            assertThat(upstream.earlyCalls()).isZero();
        }
    }

    @Test
    void countsACallForAThrottledMessageBeforeItsRetryAfterAsEarly() throws Exception {
        try (RateLimitedUpstream upstream = new RateLimitedUpstream(0.001, 1)) {
            assertThat(post(upstream, "a").statusCode()).isEqualTo(200);
            assertThat(post(upstream, "b").statusCode()).isEqualTo(429);
            assertThat(post(upstream, "b").statusCode()).isEqualTo(429);
            assertThat(post(upstream, "c").statusCode()).isEqualTo(429);

            assertThat(upstream.earlyCalls()).isEqualTo(1);
            assertThat(upstream.callsFor("b")).isEqualTo(2);
        }
    }

    @Test
    void aRaisedRateAdmitsAgain() throws Exception {
        try (RateLimitedUpstream upstream = new RateLimitedUpstream(0, 1)) {
            assertThat(post(upstream, "1").statusCode()).isEqualTo(200);
            assertThat(post(upstream, "2").statusCode()).isEqualTo(429);

            upstream.setRate(1_000_000);
            assertThat(post(upstream, "3").statusCode()).isEqualTo(200);
            assertThat(upstream.rate()).isEqualTo(1_000_000);
            assertThat(upstream.burst()).isEqualTo(1);
        }
    }
}
