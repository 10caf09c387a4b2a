package io.selfheal.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prints a benchmark's result and writes it into its own section of BENCHMARKS.md, between the markers
 * {@code <!-- bench:NAME:begin -->} and {@code <!-- bench:NAME:end -->}; other sections are left as they are.
 */
public final class BenchReport {
    private BenchReport() {
    }

    public static Path reportFile() {
        return Path.of(System.getProperty("bench.report", "BENCHMARKS.md"));
    }

    /**
     * @param name    the section's marker name (overhead, waiting, faults, idempotency, startup)
     * @param body    the section's Markdown: the table, the goals and the notes
     * @param machine the machine and load, from {@link Machine#describe(String)}
     */
    public static void publish(String name, String body, String machine) throws IOException {
        String section = machine + "\n\n" + body.strip() + "\n";
        System.out.println();
        System.out.println(section);
        Path file = reportFile();
        String begin = "<!-- bench:" + name + ":begin -->";
        String end = "<!-- bench:" + name + ":end -->";
        String text = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        String replaced;
        if (b >= 0 && e > b) {
            replaced = text.substring(0, b + begin.length()) + "\n" + section + text.substring(e);
        } else {
            replaced = text.stripTrailing() + "\n\n" + begin + "\n" + section + end + "\n";
        }
        Files.writeString(file, replaced);
        System.out.println("(section '" + name + "' of " + file.toAbsolutePath().normalize() + " updated)");
    }
}
