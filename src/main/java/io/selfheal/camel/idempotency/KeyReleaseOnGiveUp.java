package io.selfheal.camel.idempotency;

import io.selfheal.camel.AttemptListener;

import io.selfheal.escalation.GiveUp;

import io.selfheal.camel.idempotency.JdbcIdempotentRepository.ClaimedKey;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * On give-up, releases the idempotency keys this exchange claimed, so a replay of the same message is not skipped as a
 * duplicate. A delivered message keeps its keys. Camel's own {@code removeOnFailure} would do the same only while the
 * EIP sees the failure; this does not depend on how the self-healing clause handled it. Only keys claimed by this very
 * exchange are released: a failed split part does not free its parent's key.
 */
final class KeyReleaseOnGiveUp implements AttemptListener {
    private static final Logger LOG = LoggerFactory.getLogger(KeyReleaseOnGiveUp.class);

    @Override
    public void onGiveUp(Exchange exchange, GiveUp giveUp) {
        @SuppressWarnings("unchecked")
        List<ClaimedKey> claimed = exchange.getProperty(JdbcIdempotentRepository.CLAIMED_KEYS, List.class);
        exchange.setProperty(JdbcIdempotentRepository.KEYS_RELEASED, Boolean.TRUE);
        if (claimed == null) {
            return;
        }
        for (ClaimedKey k : claimed) {
            if (!exchange.getExchangeId().equals(k.exchangeId())) {
                continue;
            }
            try {
                k.release();
                LOG.debug("released idempotency key {} of scope {} after give-up of {}", k.key(),
                        k.repository().scope(), exchange.getExchangeId());
            } catch (RuntimeException e) {
                // the key stays: a replay would be skipped as a duplicate, so say which one
                LOG.warn("could not release idempotency key {} of scope {} after give-up of {}: {}", k.key(),
                        k.repository().scope(), exchange.getExchangeId(), e.toString());
            }
        }
    }
}
