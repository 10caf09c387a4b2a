package io.selfheal.observe;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RetryReportTest {

    @Test
    void reportsRetryDriftPerUpstreamFromARealScrape() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SelfhealMeters meters = new SelfhealMeters(registry);
        // inventory: 10 messages, every one succeeds on its 7th attempt
        for (int i = 0; i < 10; i++) {
            meters.attempt("r", "inventory", false, "TRANSIENT");
            for (int a = 2; a <= 6; a++) {
                meters.attempt("r", "inventory", true, "TRANSIENT");
            }
            meters.attempt("r", "inventory", true, "success");
            meters.delivered("r", "inventory", 7);
        }
        // payments: 20 first-try successes, one give-up
        for (int i = 0; i < 20; i++) {
            meters.attempt("r", "payments", false, "success");
            meters.delivered("r", "payments", 1);
        }
        meters.attempt("r", "payments", false, "PERMANENT");
        meters.gaveUp("r", "payments", "PERMANENT", "PERMANENT");
        meters.waited("inventory", "backoff", Duration.ofMillis(10));

        RetryReport report = RetryReport.fromScrape(registry.scrape());
        assertThat(report.rows()).hasSize(2);
        RetryReport.Row inventory = report.rows().get(0);
        assertThat(inventory.upstream()).isEqualTo("inventory");
        assertThat(inventory.firstAttempts()).isEqualTo(10);
        assertThat(inventory.retries()).isEqualTo(60);
        assertThat(inventory.retryRatio()).isEqualTo(6.0);
        assertThat(inventory.p50()).isEqualTo(7.0);
        assertThat(inventory.p95()).isEqualTo(7.0);
        RetryReport.Row payments = report.rows().get(1);
        assertThat(payments.firstAttempts()).isEqualTo(21);
        assertThat(payments.retries()).isZero();
        assertThat(payments.p50()).isEqualTo(1.0);
        assertThat(payments.giveUpsByReason()).containsEntry("PERMANENT", 1L);
        assertThat(report.format()).contains("inventory").contains("600.0%").contains("PERMANENT=1");
    }
}
