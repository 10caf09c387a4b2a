package io.selfheal.camel;

import io.selfheal.testing.LogCapture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where the jar's lib folder is and which of its files go on the class path. The jar with one: LibFolderKafkaIT. */
class LauncherTest {
    @TempDir
    Path work;

    @Test
    void noLibFolderInTheWorkingDirectoryIsNoJars() throws Exception {
        assertThat(Launcher.folder(null, Map.of(), work)).isNull();
        assertThat(Launcher.jars(Launcher.folder(null, Map.of(), work))).isEmpty();
        // blank settings are no settings
        assertThat(Launcher.folder(" ", Map.of(Launcher.ENV, ""), work)).isNull();
    }

    @Test
    void theDefaultFolderIsLibInTheWorkingDirectory() throws Exception {
        Path lib = Files.createDirectories(work.resolve("lib"));

        assertThat(Launcher.folder(null, Map.of(), work)).isEqualTo(lib);
    }

    @Test
    void aNamedFolderThatDoesNotExistIsOneLineNamingItAndTheSetting() {
        Path missing = work.resolve("plugins");

        assertThatThrownBy(() -> Launcher.folder(missing.toString(), Map.of(), work))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the lib folder " + missing).hasMessageContaining("set by -Dselfheal.lib")
                .hasMessageContaining("does not exist").message().doesNotContain("\n");
        assertThatThrownBy(() -> Launcher.folder(null, Map.of(Launcher.ENV, "plugins"), work))
                .hasMessageContaining("the lib folder " + missing).hasMessageContaining("set by SELFHEAL_LIB");
    }

    @Test
    void aNamedFileIsNotAFolder() throws Exception {
        Path file = Files.writeString(work.resolve("lib.jar"), "not a folder");

        assertThatThrownBy(() -> Launcher.folder(file.toString(), Map.of(), work))
                .hasMessageContaining("the lib folder " + file).hasMessageContaining("is not a folder");
    }

    @Test
    void thePropertyWinsOverTheEnvironmentAndARelativeFolderIsInTheWorkingDirectory() throws Exception {
        Path fromProperty = Files.createDirectories(work.resolve("a"));
        Files.createDirectories(work.resolve("b"));

        assertThat(Launcher.folder("a", Map.of(Launcher.ENV, "b"), work)).isEqualTo(fromProperty);
        assertThat(Launcher.folder(null, Map.of(Launcher.ENV, "b"), work)).isEqualTo(work.resolve("b"));
        assertThat(Launcher.folderName("a", Map.of(Launcher.ENV, "b"))).isEqualTo("a");
        assertThat(Launcher.folderName(null, Map.of(Launcher.ENV, "b"))).isEqualTo("b");
        assertThat(Launcher.folderName(null, Map.of())).isEqualTo("./lib");
    }

    @Test
    void theJarsDirectlyInTheFolderSortedByFileName() throws Exception {
        Path lib = Files.createDirectories(work.resolve("lib"));
        for (String name : List.of("kafka-clients-4.1.1.jar", "camel-kafka-4.18.0.jar", "Zstd.JAR", "README.txt")) {
            Files.writeString(lib.resolve(name), "");
        }
        Files.createDirectories(lib.resolve("folder.jar"));
        Files.createDirectories(lib.resolve("nested"));
        Files.writeString(lib.resolve("nested/ignored.jar"), "");

        assertThat(Launcher.jars(lib)).extracting(p -> p.getFileName().toString())
                .containsExactly("Zstd.JAR", "camel-kafka-4.18.0.jar", "kafka-clients-4.1.1.jar");
    }

    @Test
    void theAddedJarsAreLoggedOnceByFileName() {
        try (LogCapture log = LogCapture.install()) {
            Launcher.added("2 jar(s) from the lib folder: a.jar, b.jar");
            Launcher.logAdded();
            Launcher.logAdded();

            assertThat(log.linesOf(Launcher.class.getName()))
                    .containsExactly("INFO " + Launcher.class.getName() + " | Added 2 jar(s) from the lib folder: a.jar, b.jar");
        }
    }
}
