package io.selfheal.camel.cli;

import io.selfheal.camel.JobProperties;

import io.selfheal.observe.RetryReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * {@code report [--url URL]}: retry drift per upstream, read from a running Selfheal's Prometheus endpoint (by
 * default the one configured by camel.management.host/port and camel.metrics.path).
 */
@Command(name = "report", description = "Retry drift per upstream, read from a running job's metrics endpoint.",
        footer = {"", "Exit codes: 0 printed; 1 nothing answered, or the endpoint answered other than 200; 2 bad usage."})
public final class ReportCommand implements Callable<Integer> {
    @Option(names = "--url", paramLabel = "URL", description = "the metrics endpoint to read (default: made from "
            + "camel.management.host, camel.management.port and camel.metrics.path)")
    String url;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean given = url != null;
        String target = url;
        try {
            if (target == null) {
                Properties p = JobProperties.load();
                String host = p.getProperty("camel.management.host", "127.0.0.1");
                if ("0.0.0.0".equals(host)) {
                    host = "127.0.0.1";
                }
                target = "http://" + host + ":" + p.getProperty("camel.management.port", "8080")
                        + p.getProperty("camel.metrics.path", "/observe/metrics");
            }
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()
                    .send(HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                err.println("The metrics endpoint " + target + " answered " + response.statusCode());
                return 1;
            }
            out.println("Retry drift per upstream (from " + target + ")");
            out.print(RetryReport.fromScrape(response.body()).format());
            return 0;
        } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
            err.println(nothingAnswers(target, given, e));
            return 1;
        } catch (Exception e) {
            err.println("report failed" + (target == null ? "" : " reading " + target) + ": " + e);
            return 1;
        }
    }

    /** Names the URL tried, where it came from, and the settings that make a job answer there (on 127.0.0.1). */
    static String nothingAnswers(String url, boolean given, Exception e) {
        String why = e instanceof java.net.http.HttpConnectTimeoutException ? "connect timed out" : "connection refused";
        String from = given ? "the URL given with --url"
                : "the URL made from camel.management.host, camel.management.port and camel.metrics.path (built-in"
                + " defaults, then ./config/application.properties, then -D)";
        return "No running Selfheal answers at " + url + " (" + why + "; " + from + "). Start the job with"
                + " camel.management.enabled=true and camel.metrics.enabled=true (the management server listens on"
                + " 127.0.0.1 unless camel.management.host says otherwise), run report from the job's directory so it"
                + " reads the same settings, or pass --url";
    }
}
