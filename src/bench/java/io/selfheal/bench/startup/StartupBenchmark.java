package io.selfheal.bench.startup;

import io.selfheal.camel.Selfheal;

import io.selfheal.bench.BenchReport;
import io.selfheal.bench.Machine;
import io.selfheal.bench.Table;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Benchmark 5, start-up and footprint: {@code java -jar target/selfheal.jar} from a fresh directory holding copies of
 * the shipped {@code routes/} and {@code config/}, as a user starts it. Measures the time from launching the process
 * to Camel's "started in" line and to the demo upstream's port answering, Camel's own start-up figure, the demo's
 * run to exit, and the peak resident set (VmHWM of /proc/PID/status, sampled until the process ends).
 */
public final class StartupBenchmark {
    static final String COMMAND = "mvn -B -q -Pbench -DskipTests package exec:exec@startup";
    static final int RUNS = Integer.getInteger("bench.runs", 3);
    static final long TIMEOUT_SECONDS = 180;
    static final Pattern STARTED = Pattern.compile("started in (\\S+)");

    record Run(long toStartedLineMs, long toPortMs, String camelSays, long toExitMs, long peakRssKiB, int exitCode,
               boolean summary) {
    }

    private StartupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(System.getProperty("bench.jar", "target/selfheal.jar")).toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run `mvn -B -Pbench -DskipTests package` first");
        }
        Machine machine = Machine.watch();
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            Run r = run(jar, i);
            System.out.println("run " + (i + 1) + ": " + r);
            runs.add(r);
        }
        Table t = new Table("run", "launch → \"started in\" line", "launch → demo port answers", "Camel's own figure",
                "launch → demo finished and exited", "peak RSS (VmHWM)", "exit code", "demo history printed");
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            t.row(i + 1, sec(r.toStartedLineMs()), sec(r.toPortMs()), r.camelSays(), sec(r.toExitMs()),
                    Table.num(r.peakRssKiB() / 1024.0, 0) + " MiB", r.exitCode(), r.summary() ? "yes" : "NO");
        }
        t.row("**median**", sec(median(runs.stream().mapToLong(Run::toStartedLineMs).toArray())),
                sec(median(runs.stream().mapToLong(Run::toPortMs).toArray())), "",
                sec(median(runs.stream().mapToLong(Run::toExitMs).toArray())),
                Table.num(median(runs.stream().mapToLong(Run::peakRssKiB).toArray()) / 1024.0, 0) + " MiB", "", "");
        String body = t + "\n" + RUNS + " runs of `java -jar target/selfheal.jar` (no JVM options: the JVM's default heap, "
                + "a quarter of RAM at most), each from a fresh temporary directory with copies of `routes/` and "
                + "`config/` and its own `camel.server.port`; the demo job runs its three runs to the job's history and the process exits "
                + "after 5 s idle (`camel.main.duration-max-idle-seconds`). Times are measured outside the process "
                + "from launch; \"Camel's own figure\" is what its \"started in\" line says (from CamelContext creation, "
                + "without JVM start-up). Peak RSS: the largest VmHWM read from /proc/PID/status every 50 ms.\n";
        BenchReport.publish("startup", body, machine.describe(COMMAND));
    }

    static Run run(Path jar, int index) throws Exception {
        Path dir = Files.createTempDirectory("selfheal-startup-");
        copyTree(Path.of("routes"), dir.resolve("routes"));
        copyTree(Path.of("config"), dir.resolve("config"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("selfheal.log");
        long launch = System.nanoTime();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dcamel.server.port=" + port, "-jar", jar.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long toLine = -1;
        long toPort = -1;
        long peakKiB = 0;
        long deadline = launch + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (p.isAlive() && System.nanoTime() < deadline) {
            peakKiB = Math.max(peakKiB, vmHwmKiB(p.pid()));
            if (toLine < 0 && Files.readString(log).contains("started in")) {
                toLine = ms(System.nanoTime() - launch);
            }
            if (toPort < 0 && answers(port)) {
                toPort = ms(System.nanoTime() - launch);
            }
            Thread.sleep(toLine < 0 || toPort < 0 ? 10 : 50);
        }
        if (p.isAlive()) {
            p.destroyForcibly();
            throw new IllegalStateException("run " + index + " did not end within " + TIMEOUT_SECONDS + " s; log in " + log);
        }
        long toExit = ms(System.nanoTime() - launch);
        String out = Files.readString(log);
        Matcher m = STARTED.matcher(out);
        String camelSays = m.find() ? m.group(1) : "—";
        return new Run(toLine, toPort, camelSays, toExit, peakKiB, p.exitValue(), out.contains("Selfheal demo: job history"));
    }

    /** The process's peak resident set so far, in KiB; 0 once it is gone. */
    static long vmHwmKiB(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmHWM:")) {
                    return Long.parseLong(l.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended between the check and the read
        }
        return 0;
    }

    static boolean answers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static long median(long[] v) {
        long[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length == 0 ? 0 : s[s.length / 2];
    }

    static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    static String sec(long ms) {
        return ms < 0 ? "—" : Table.num(ms / 1000.0, 2) + " s";
    }
}
