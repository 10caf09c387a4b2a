package io.selfheal.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The keys under one prefix of a {@link ConfigReader} ("selfheal.breaker.inventory."), so a section reads the same
 * suffixes for its defaults and for each upstream, and every error names the full key.
 */
public record ConfigSection(ConfigReader reader, String prefix) {
    public ConfigSection {
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(prefix, "prefix");
    }

    public String key(String suffix) {
        return prefix + suffix;
    }

    public Optional<String> take(String suffix) {
        return reader.take(key(suffix));
    }

    /** The parsed value of prefix + suffix, or {@code otherwise} when the key is absent. */
    public <T> T read(String suffix, ConfigReader.ValueParser<T> parser, T otherwise) {
        return reader.read(key(suffix), parser, otherwise);
    }
}
