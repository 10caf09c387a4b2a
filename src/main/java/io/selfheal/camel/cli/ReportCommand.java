package io.selfheal.camel.cli;

import io.selfheal.camel.JobProperties;
import io.selfheal.camel.Selfheal;

import io.selfheal.observe.RetryReport;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Properties;

/**
 * {@code java -jar selfheal.jar report [--url URL]}: retry drift per upstream, read from a running Selfheal's
 * Prometheus endpoint (by default the one configured by camel.management.host/port and camel.metrics.path).
 */
public final class ReportCommand {
    private ReportCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String url = null;
        boolean given = false;
        try {
            for (int i = 1; i < args.length; i++) {
                if ("--url".equals(args[i]) && i + 1 < args.length) {
                    url = args[++i];
                    given = true;
                } else {
                    err.println("Unknown option " + args[i] + ". Usage: report [--url http://127.0.0.1:18081/observe/metrics]");
                    return 2;
                }
            }
            if (url == null) {
                Properties p = JobProperties.load();
                String host = p.getProperty("camel.management.host", "127.0.0.1");
                if ("0.0.0.0".equals(host)) {
                    host = "127.0.0.1";
                }
                url = "http://" + host + ":" + p.getProperty("camel.management.port", "8080")
                        + p.getProperty("camel.metrics.path", "/observe/metrics");
            }
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                err.println("The metrics endpoint " + url + " answered " + response.statusCode());
                return 1;
            }
            out.println("Retry drift per upstream (from " + url + ")");
            out.print(RetryReport.fromScrape(response.body()).format());
            return 0;
        } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
            err.println(nothingAnswers(url, given, e));
            return 1;
        } catch (Exception e) {
            err.println("report failed" + (url == null ? "" : " reading " + url) + ": " + e);
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
