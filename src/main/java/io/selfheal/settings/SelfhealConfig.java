package io.selfheal.settings;

import io.selfheal.breaker.BreakerSettings;
import io.selfheal.breaker.BudgetSettings;
import io.selfheal.classify.ClassificationRules;
import io.selfheal.classify.ClassificationSettings;
import io.selfheal.classify.FailureClass;
import io.selfheal.config.ConfigException;
import io.selfheal.config.ConfigReader;
import io.selfheal.config.PerUpstream;
import io.selfheal.escalation.AlertSettings;
import io.selfheal.escalation.ParkedSettings;
import io.selfheal.idempotency.IdempotencySettings;
import io.selfheal.observe.LogFormat;
import io.selfheal.retry.RetryPolicy;
import io.selfheal.retry.RetrySettings;
import io.selfheal.runs.JobSettings;
import io.selfheal.runs.RunHeartbeat;
import io.selfheal.schedule.ScheduleSettings;

import java.util.Map;
import java.util.SortedSet;

/**
 * Every {@code selfheal.*} setting, parsed and validated once at start-up: the sections, each read by its own package,
 * put together. An invalid value or an unknown key throws a {@link ConfigException} naming the key. Immutable.
 */
public record SelfhealConfig(PerUpstream<RetryPolicy> retry, ClassificationSettings classification, LogFormat logFormat,
                             IdempotencySettings idempotency, AlertSettings alert, ParkedSettings parked,
                             PerUpstream<BreakerSettings> breakers, PerUpstream<BudgetSettings> budgets,
                             PerUpstream<JobSettings> jobs, RunHeartbeat runHeartbeat,
                             ScheduleSettings schedule) {

    public static SelfhealConfig defaults() {
        return load(Map.of());
    }

    /** Parses every selfheal.* key of {@code properties} (other keys are ignored). */
    public static SelfhealConfig load(Map<String, String> properties) {
        return load(new ConfigReader(properties));
    }

    /**
     * Every key Selfheal understands, as the sections register them while parsing an empty configuration (so a
     * section must take or remember each of its keys even when it is absent, as {@link ConfigReader#take} does);
     * {@code <name>}-style segments are chosen by the user ("selfheal.upstream.&lt;name&gt;.max-attempts"). The
     * configuration tests enumerate this, so a key added to a section cannot go untested unnoticed.
     */
    public static SortedSet<String> knownKeys() {
        ConfigReader reader = new ConfigReader(Map.of());
        load(reader);
        return reader.knownShapes();
    }

    private static SelfhealConfig load(ConfigReader reader) {
        PerUpstream<RetryPolicy> retry = RetrySettings.read(reader);
        ParkedSettings parked = ParkedSettings.read(reader);
        SelfhealConfig config = new SelfhealConfig(retry, ClassificationSettings.read(reader),
                LogFormat.read(reader), IdempotencySettings.parse(reader), AlertSettings.read(reader), parked,
                BreakerSettings.read(reader), BudgetSettings.read(reader), JobSettings.read(reader, retry.defaultSettings()),
                RunHeartbeat.read(reader),
                ScheduleSettings.read(reader, parked.jdbc(), ParkedSettings.URL));
        reader.rejectUnknown();
        return config;
    }

    public RetryPolicy defaultPolicy() {
        return retry.defaultSettings();
    }

    /** The policy for an upstream: its own overrides on top of the defaults, or the defaults. */
    public RetryPolicy policyFor(String upstream) {
        return retry.settingsFor(upstream);
    }

    public Map<String, RetryPolicy> upstreamPolicies() {
        return retry.upstreamSettings();
    }

    /** The settings of a job: its own keys on top of selfheal.jobs.defaults.*, or those defaults. */
    public JobSettings jobFor(String job) {
        return jobs.settingsFor(job);
    }

    public ClassificationRules classificationRules() {
        return classification.rules();
    }

    public FailureClass defaultClass() {
        return classification.defaultClass();
    }

    /** The retry and breaker sections only: the store and alert sections hold credentials and secret URLs. */
    @Override
    public String toString() {
        return "SelfhealConfig[retry=" + retry + ", breakers=" + breakers + ", budgets=" + budgets + ", logFormat="
                + logFormat + "]";
    }
}
