package io.selfheal.camel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The jar and every command read one configuration in one order: defaults, the user's files, then -D. */
class JobPropertiesTest {

    @Test
    void theUsersFileNamedByThePlaceholderLocationOverridesTheDefaultsAndMinusDOverridesBoth(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(file, """
                selfheal.defaults.max-attempts = 3
                selfheal.defaults.max-delay = {{env:SELFHEAL_TEST_UNSET_VARIABLE:7s}}
                selfheal.parked.url = jdbc:h2:mem:from-the-file
                """);
        String before = System.getProperty(JobProperties.LOCATION_KEY);
        System.setProperty(JobProperties.LOCATION_KEY, "file:" + file + ";optional=true");
        System.setProperty("selfheal.parked.url", "jdbc:h2:mem:from-minus-d");
        try {
            Map<String, String> selfheal = JobProperties.selfheal();
            assertThat(selfheal).containsEntry("selfheal.defaults.max-attempts", "3")
                    .containsEntry("selfheal.defaults.max-delay", "7s")
                    .containsEntry("selfheal.parked.url", "jdbc:h2:mem:from-minus-d")
                    // a default no file overrides
                    .containsEntry("selfheal.defaults.multiplier", "2");
        } finally {
            System.clearProperty("selfheal.parked.url");
            if (before == null) {
                System.clearProperty(JobProperties.LOCATION_KEY);
            } else {
                System.setProperty(JobProperties.LOCATION_KEY, before);
            }
        }
    }
}
