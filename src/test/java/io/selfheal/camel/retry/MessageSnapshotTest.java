package io.selfheal.camel.retry;


import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.DefaultMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a snapshot gives back is what Camel's copy of the exchange would have: body, headers and message id. */
class MessageSnapshotTest {
    private final CamelContext context = started();

    private static CamelContext started() {
        CamelContext c = new DefaultCamelContext();
        c.start();
        return c;
    }

    @Test
    void aPlainMessageComesBackAsItWasBeforeTheStepChangedIt() {
        Exchange exchange = new DefaultExchange(context);
        Message in = exchange.getIn();
        in.setBody("before");
        in.setHeader("Kept", "yes");
        in.setHeader("Count", 2);
        String id = in.getMessageId();

        MessageSnapshot snapshot = MessageSnapshot.of(in);
        in.setBody("after");
        in.setHeader("Kept", "no");
        in.removeHeader("Count");
        in.setHeader("Scratch", "x");

        Message restored = snapshot.asOriginal(exchange).getIn();
        assertThat(restored.getBody()).isEqualTo("before");
        assertThat(restored.getHeaders()).containsOnlyKeys("Kept", "Count");
        assertThat(restored.getHeader("kept")).as("headers stay case-insensitive").isEqualTo("yes");
        assertThat(restored.getHeader("Count")).isEqualTo(2);
        assertThat(restored.getMessageId()).isEqualTo(id);

        exchange.getIn().copyFrom(restored);
        assertThat(exchange.getIn().getBody()).isEqualTo("before");
        assertThat(exchange.getIn().getHeaders()).containsOnlyKeys("Kept", "Count");
    }

    /** A component's own message class may carry more than body and headers: it is copied as Camel copies it. */
    static final class ComponentMessage extends DefaultMessage {
        String extra;

        ComponentMessage(CamelContext context) {
            super(context);
        }

        @Override
        public DefaultMessage newInstance() {
            ComponentMessage m = new ComponentMessage(getCamelContext());
            m.extra = extra;
            return m;
        }
    }

    @Test
    void anyOtherMessageIsCopiedWhole() {
        Exchange exchange = new DefaultExchange(context);
        ComponentMessage in = new ComponentMessage(context);
        in.extra = "cursor-17";
        in.setBody("before");
        exchange.setIn(in);

        MessageSnapshot snapshot = MessageSnapshot.of(in);
        in.setBody("after");
        in.extra = "cursor-18";

        Message restored = snapshot.asOriginal(exchange).getIn();
        assertThat(restored).isInstanceOf(ComponentMessage.class);
        assertThat(((ComponentMessage) restored).extra).isEqualTo("cursor-17");
        assertThat(restored.getBody()).isEqualTo("before");
    }
}
