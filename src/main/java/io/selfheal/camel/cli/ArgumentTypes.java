package io.selfheal.camel.cli;

import io.selfheal.config.ConfigValues;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

/** The argument types of the command line that picocli does not know: message IDs, counts, durations as people write them. */
final class ArgumentTypes {
    private ArgumentTypes() {
    }

    /** {@code 12} or {@code #12}. */
    static final class MessageId implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Long.parseLong(value.startsWith("#") ? value.substring(1) : value);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a message ID");
            }
        }
    }

    /** A whole number of at least 1. */
    static final class PositiveNumber implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new TypeConversionException("'" + value + "' is not a whole number of at least 1");
        }
    }

    /** A duration as the configuration writes it: 500ms, 30s, 10m, 1h, 1d. */
    static final class Length implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return ConfigValues.duration("the option", value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a duration (500ms, 30s, 10m, 1h, 1d)");
            }
        }
    }
}
