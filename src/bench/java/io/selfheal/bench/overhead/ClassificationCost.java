package io.selfheal.bench.overhead;

import io.selfheal.camel.Selfheal;

import io.selfheal.camel.SelfhealRuntime;
import io.selfheal.classify.Classification;
import io.selfheal.classify.FailureClass;
import io.selfheal.classify.FailureClassifier;
import io.selfheal.settings.SelfhealConfig;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.time.Clock;
import java.util.Map;

/**
 * The cost of classifying one failure, with the classifier a running Selfheal uses (built-in rules, the default
 * class, camel-http's exception read as an HTTP response), on a few representative failures as a route sees them.
 */
@State(Scope.Benchmark)
public class ClassificationCost {
    @Param({"http-503", "http-429-retry-after", "socket-timeout-wrapped", "sql-deadlock-wrapped", "npe"})
    public String failure;

    private FailureClassifier classifier;
    private Throwable exception;
    private FailureClass expected;

    @Setup
    public void setUp() {
        classifier = new SelfhealRuntime(SelfhealConfig.load(Map.of()), Clock.systemUTC()).classifier();
        String uri = "http://inventory-service:8080/items/42";
        switch (failure) {
            case "http-503" -> {
                exception = new HttpOperationFailedException(uri, 503, "Service Unavailable", null,
                        Map.of("Content-Type", "application/json", "Date", "Sat, 28 Nov 2026 18:00:00 GMT"), "{\"error\":\"busy\"}");
                expected = FailureClass.TRANSIENT;
            }
            case "http-429-retry-after" -> {
                exception = new HttpOperationFailedException(uri, 429, "Too Many Requests", null,
                        Map.of("Content-Type", "application/json", "retry-after", "2"), "{\"error\":\"slow down\"}");
                expected = FailureClass.RECOVERABLE;
            }
            case "socket-timeout-wrapped" -> {
                exception = new CamelExecutionException("Exception occurred during execution",
                        new DefaultExchange(new DefaultCamelContext()),
                        new RuntimeException("call failed", new SocketTimeoutException("Read timed out")));
                expected = FailureClass.TRANSIENT;
            }
            case "sql-deadlock-wrapped" -> {
                SQLException deadlock = new SQLTransactionRollbackException("deadlock detected", "40P01", 0);
                exception = new org.springframework.jdbc.UncategorizedSQLException("insert", "INSERT INTO t VALUES (?)", deadlock);
                expected = FailureClass.TRANSIENT;
            }
            case "npe" -> {
                exception = new NullPointerException("Cannot invoke \"String.length()\" because \"sku\" is null");
                expected = FailureClass.PERMANENT;
            }
            default -> throw new IllegalArgumentException(failure);
        }
        FailureClass actual = classifier.classify(exception).failureClass();
        if (actual != expected) {
            throw new IllegalStateException(failure + " classified " + actual + ", expected " + expected);
        }
    }

    @Benchmark
    public Classification classify() {
        return classifier.classify(exception);
    }
}
