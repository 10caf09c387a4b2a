package io.selfheal.camel.retry;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.DefaultMessage;
import org.apache.camel.trait.message.MessageTrait;

import java.util.Map;

/**
 * The IN message as it was before a step, kept so a redelivery can resend it if the step fails after changing it: what
 * Camel's redelivery restores (body, headers, message id), no more. A plain message is kept as its body reference and
 * a flat array of its headers, which costs far less than Camel's copy of the whole exchange; any other kind of message
 * (attachments, a data type, a component's own message class) is copied as Camel copies it.
 */
final class MessageSnapshot {
    private static final Object[] NO_HEADERS = new Object[0];

    private final Object body;
    private final Object[] headers;
    private final String messageId;
    private final Message copied;

    private MessageSnapshot(Object body, Object[] headers, String messageId, Message copied) {
        this.body = body;
        this.headers = headers;
        this.messageId = messageId;
        this.copied = copied;
    }

    static MessageSnapshot of(Message in) {
        if (in.getClass() != DefaultMessage.class || in.hasTrait(MessageTrait.DATA_AWARE)
                || in.getPayloadForTrait(MessageTrait.ATTACHMENTS) != null) {
            return new MessageSnapshot(null, null, null, in.copy());
        }
        Object[] pairs = NO_HEADERS;
        if (in.hasHeaders()) {
            Map<String, Object> map = in.getHeaders();
            pairs = new Object[map.size() * 2];
            int i = 0;
            for (Map.Entry<String, Object> e : map.entrySet()) {
                pairs[i++] = e.getKey();
                pairs[i++] = e.getValue();
            }
        }
        return new MessageSnapshot(in.getBody(), pairs, in.hasMessageId() ? in.getMessageId() : null, null);
    }

    /** The message as it was, as the original exchange Camel's redelivery task restores its IN message from. */
    Exchange asOriginal(Exchange exchange) {
        DefaultExchange original = new DefaultExchange(exchange.getContext(), exchange.getPattern());
        original.setIn(toMessage(exchange));
        return original;
    }

    private Message toMessage(Exchange exchange) {
        if (copied != null) {
            return copied;
        }
        DefaultMessage m = new DefaultMessage(exchange);
        if (messageId != null) {
            m.setMessageId(messageId);
        }
        m.setBody(body);
        for (int i = 0; i < headers.length; i += 2) {
            m.setHeader((String) headers[i], headers[i + 1]);
        }
        return m;
    }
}
