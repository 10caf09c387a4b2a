package io.selfheal.escalation;

import io.selfheal.retry.GiveUpReason;
import io.selfheal.threads.ThreadSource;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the alert service's threads come from: daemon threads named for what they do when nothing is given (the
 * command line), the given {@link ThreadSource}'s otherwise (a CamelContext's); the ticker and each sink's sender alike.
 */
class AlertServiceThreadsTest {

    /** Records the thread each alert was sent on. */
    private static final class RecordingSink implements AlertSink {
        final BlockingQueue<Thread> sentOn = new ArrayBlockingQueue<>(10);

        @Override
        public String name() {
            return "probe";
        }

        @Override
        public String describe() {
            return "probe";
        }

        @Override
        public void send(Alert alert) {
            sentOn.add(Thread.currentThread());
        }

        @Override
        public void send(RunAlert page) {
            sentOn.add(Thread.currentThread());
        }
    }

    @Test
    void withoutASourceTheTickerAndTheSinkSenderAreDaemonThreadsOfTheirOwnNames() throws Exception {
        RecordingSink sink = new RecordingSink();
        try (AlertService alerts = new AlertService(AlertSettings.defaults(), List.of(sink), Clock.systemUTC())) {
            alerts.giveUp(AlertGrouperTest.giveUp("inventory", GiveUpReason.ATTEMPTS, "k1"), 1L);
            Thread sender = sink.sentOn.poll(10, TimeUnit.SECONDS);
            assertThat(sender).isNotNull();
            assertThat(sender.getName()).isEqualTo("selfheal-alert-probe");
            assertThat(sender.isDaemon()).isTrue();
            assertThat(Thread.getAllStackTraces().keySet()).anySatisfy(t -> {
                assertThat(t.getName()).isEqualTo("selfheal-alert-groups");
                assertThat(t.isDaemon()).isTrue();
            });
        }
    }

    @Test
    void withASourceEveryThreadComesFromIt() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        ThreadSource source = (name, task) -> {
            asked.add(name);
            return ThreadSource.daemons().newThread("given-" + name, task);
        };
        RecordingSink sink = new RecordingSink();
        try (AlertService alerts = new AlertService(AlertSettings.defaults(), List.of(sink), Clock.systemUTC(), source)) {
            alerts.giveUp(AlertGrouperTest.giveUp("inventory", GiveUpReason.ATTEMPTS, "k1"), 1L);
            Thread sender = sink.sentOn.poll(10, TimeUnit.SECONDS);
            assertThat(sender).isNotNull();
            assertThat(sender.getName()).isEqualTo("given-selfheal-alert-probe");
        }
        assertThat(asked).containsExactlyInAnyOrder("selfheal-alert-groups", "selfheal-alert-probe");
    }
}
