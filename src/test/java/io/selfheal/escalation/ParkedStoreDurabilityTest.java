package io.selfheal.escalation;

import io.selfheal.camel.CrashSafetyTest;

import io.selfheal.classify.FailureClass;
import io.selfheal.settings.SelfhealConfig;
import io.selfheal.retry.GiveUpReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A parked message is durable the moment {@link ParkedStore#park} returns, even on the default embedded H2 store: the
 * source deletes its copy right after, so a commit that only sat in H2's write-behind buffer would be a lost message
 * when the process is killed. Found by CrashSafetyTest (all three parked messages gone after a SIGKILL); the default
 * URL now has WRITE_DELAY=0. Here a child JVM parks 300 messages on the default URL (in its own directory), says so,
 * and is killed with SIGKILL at once; all 300 are there afterwards.
 */
class ParkedStoreDurabilityTest {
    static final int MESSAGES = 300;

    @TempDir
    Path dir;

    @Test
    void everyParkedMessageSurvivesASigkillRightAfterParking() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ParkThenWait.class.getName(), String.valueOf(MESSAGES))
                .directory(dir.toFile()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("PARKED ")) {
                // start-up output
            }
            assertThat(line).isEqualTo("PARKED " + MESSAGES);
            child.destroyForcibly();    // SIGKILL, the moment the last park returned
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

        try (ParkedStore store = new ParkedStore(config(dir), Clock.systemUTC())) {
            assertThat(store.list(null, null, 10_000)).hasSize(MESSAGES);
        }
    }

    static ParkedSettings config(Path dir) {
        String url = ParkedSettings.DEFAULT_URL.replace("./data/", dir.toAbsolutePath().toString().replace('\\', '/') + "/data/");
        return SelfhealConfig.load(Map.of("selfheal.parked.url", url)).parked();
    }

    /** The child: parks n messages on the default URL (relative to its working directory), then waits to be killed. */
    public static final class ParkThenWait {
        public static void main(String[] args) throws Exception {
            int n = Integer.parseInt(args[0]);
            ParkedSettings config = SelfhealConfig.load(Map.of()).parked();
            ParkedStore store = new ParkedStore(config, Clock.systemUTC());
            for (int i = 0; i < n; i++) {
                GiveUp g = new GiveUp(FailureClass.TRANSIENT, GiveUpReason.ATTEMPTS, 3, Duration.ofMillis(50), null,
                        null, "ledger", "inbox", "ex-" + i, "http://ledger/book", "key-" + i, List.of("HTTP 503"), "busy");
                store.park(new ParkRequest(("record " + i).getBytes(StandardCharsets.UTF_8), "{}", "inbox",
                        "http://ledger/book", "file://inbox", g, null));
            }
            System.out.println("PARKED " + n);
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
