package io.selfheal.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * What a benchmark ran on, and how busy the machine was meanwhile: the numbers only compare within one run, so the
 * report says the cores, the JVM, the date and the load beside them.
 */
public final class Machine {
    private final String startedAt;
    private final String loadAtStart;
    private final long[] cpuAtStart;

    private Machine() {
        this.startedAt = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        this.loadAtStart = loadAverage();
        this.cpuAtStart = cpuJiffies();
    }

    /** Starts watching: call before the measurement. */
    public static Machine watch() {
        return new Machine();
    }

    /** The Markdown lines that describe the machine and the load over the run (call after the measurement). */
    public String describe(String command) {
        long[] end = cpuJiffies();
        String busy = "unknown";
        if (cpuAtStart != null && end != null && end[1] > cpuAtStart[1]) {
            busy = Math.round(100.0 * (end[0] - cpuAtStart[0]) / (end[1] - cpuAtStart[1])) + " %";
        }
        Runtime rt = Runtime.getRuntime();
        return String.join("\n",
                "- Command: `" + command + "`",
                "- Date: " + startedAt + "; commit " + gitCommit(),
                "- Machine: " + rt.availableProcessors() + " cores (" + cpuModel() + "), "
                        + Math.round(totalMemoryGiB()) + " GiB RAM, " + System.getProperty("os.name") + " "
                        + System.getProperty("os.version"),
                "- JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                        + ", heap max " + (rt.maxMemory() >> 20) + " MiB; Camel "
                        + camelVersion(),
                "- Load: load average " + loadAtStart + " at start, " + loadAverage() + " at end; all CPUs "
                        + busy + " busy over the run, this benchmark's own processes included");
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format(java.util.Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** {busy, total} jiffies over all CPUs since boot, or null where /proc/stat is missing. */
    static long[] cpuJiffies() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            String[] f = lines.get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new long[]{total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    static double totalMemoryGiB() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    return Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return 0;
    }

    /** Camel's version, as its jar's manifest says. */
    static String camelVersion() {
        String v = org.apache.camel.CamelContext.class.getPackage().getImplementationVersion();
        return v == null ? "(version not in the manifest)" : v;
    }

    static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? out : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }
}
