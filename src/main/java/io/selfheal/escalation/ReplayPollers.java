package io.selfheal.escalation;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The replay pollers that recorded polls in a parked store, newest poll first: whether one of them still polls, and
 * when the last poll was. A replay asked for while none polls waits in the store for the next job that starts.
 */
public record ReplayPollers(List<ReplayPoll> polls) {
    public ReplayPollers {
        polls = polls.stream().sorted(Comparator.comparing(ReplayPoll::polledAt).reversed()).toList();
    }

    /** A poller that still polls at {@code now}, if any. */
    public Optional<ReplayPoll> live(Instant now) {
        return polls.stream().filter(p -> p.live(now)).findFirst();
    }

    /** The newest poll of any poller; empty when no job ever polled this store. */
    public Optional<ReplayPoll> last() {
        return polls.stream().findFirst();
    }
}
