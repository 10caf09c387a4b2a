package io.selfheal.it;

import io.selfheal.testing.ChildJar;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built jar's command line, as a user types it: {@code --help} lists the commands, {@code --version} prints the
 * version the build wrote, and an unknown command exits 2 with the error and the usage on stderr, not camel-main's
 * option list and exit 0 as before. None of them starts the job (no route runs, nothing is written under ./data).
 */
public class CommandLineJarIT {
    record Run(int code, String out, String err) {
    }

    private static Run jar(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", ChildJar.JAR.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("the jar did not exit within 60s: " + String.join(" ", args));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void helpListsTheCommands(@TempDir Path dir) throws Exception {
        Run r = jar(dir, "--help");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("Usage: java -jar selfheal.jar").containsPattern("(?m)^  run +\\S")
                .containsPattern("(?m)^  parked +\\S").containsPattern("(?m)^  report +\\S")
                .containsPattern("(?m)^  help +\\S").doesNotContain("Camel Runner");
        Run parked = jar(dir, "help", "parked");
        assertThat(parked.code()).as(parked.err()).isZero();
        assertThat(parked.out()).containsPattern("(?m)^  replay +\\S").containsPattern("(?m)^  discard +\\S");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void versionPrintsTheBuiltVersion(@TempDir Path dir) throws Exception {
        Properties p = new Properties();
        try (InputStream in = CommandLineJarIT.class.getResourceAsStream("/io/selfheal/version.properties")) {
            p.load(in);
        }
        Run r = jar(dir, "--version");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().trim()).isEqualTo("Selfheal " + p.getProperty("version"));
    }

    @Test
    void anUnknownCommandExitsTwoWithTheErrorAndTheUsageOnStderr(@TempDir Path dir) throws Exception {
        Run r = jar(dir, "bogus");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("Unknown command: 'bogus'").contains("Usage: java -jar selfheal.jar")
                .doesNotContain("Exception");
        Run option = jar(dir, "parked", "--bogus");
        assertThat(option.code()).isEqualTo(2);
        assertThat(option.err()).contains("Unknown option: '--bogus'").contains("Usage: java -jar selfheal.jar parked");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void anArgumentCamelMainDoesNotKnowExitsTwoAndItsHelpExitsZero(@TempDir Path dir) throws Exception {
        Run bogus = jar(dir, "run", "-bogus");
        assertThat(bogus.code()).as(bogus.out() + bogus.err()).isEqualTo(2);
        assertThat(bogus.out()).contains("Unknown option: -bogus");
        assertThat(bogus.err()).contains("camel-main does not know an argument").contains("run -- -help");
        Run help = jar(dir, "run", "--", "-help");
        assertThat(help.code()).as(help.out() + help.err()).isZero();
        assertThat(help.out()).contains("-duration");
    }
}
