package io.selfheal.jdbc;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JdbcSettingsTest {
    private static final String SECRET = "s3cr3t-Pa55";

    @Test
    void toStringNeverShowsThePassword() {
        JdbcSettings s = new JdbcSettings("jdbc:postgresql://db:5432/selfheal", "selfheal", SECRET, 5,
                Duration.ofSeconds(5));
        assertThat(s.toString()).doesNotContain(SECRET).contains("password=***").contains("username=selfheal")
                .contains("jdbc:postgresql://db:5432/selfheal").contains("poolSize=5").contains("5000ms");
        assertThat(s.password()).isEqualTo(SECRET);
    }

    @Test
    void norAPasswordWrittenIntoTheUrl() {
        for (String url : new String[] {
                "jdbc:postgresql://db/selfheal?user=u&password=" + SECRET + "&ssl=true",
                "jdbc:mariadb://db/selfheal?password=" + SECRET,
                "jdbc:h2:tcp://db/selfheal;USER=sa;PASSWORD=" + SECRET + ";AUTO_SERVER=TRUE",
                "jdbc:mysql://u:" + SECRET + "@db:3306/selfheal"}) {
            JdbcSettings s = new JdbcSettings(url, "", "", 1, Duration.ofSeconds(1));
            assertThat(s.toString()).as(url).doesNotContain(SECRET).contains("***");
            assertThat(s.describeUrl()).as(url).doesNotContain(SECRET);
        }
        JdbcSettings kept = new JdbcSettings("jdbc:postgresql://db/selfheal?ssl=true", "", "", 1, Duration.ofSeconds(1));
        assertThat(kept.describeUrl()).isEqualTo("jdbc:postgresql://db/selfheal?ssl=true");
    }

    @Test
    void anEmptyPasswordIsShownAsEmptyAndNullsMeanNone() {
        JdbcSettings s = new JdbcSettings("jdbc:h2:mem:x", null, null, 1, Duration.ofSeconds(1));
        assertThat(s.username()).isEmpty();
        assertThat(s.password()).isEmpty();
        assertThat(s.toString()).contains("password=,");
        assertThat(s.dialect()).contains(SqlDialect.H2);
    }

    @Test
    void refusesWhatNoPoolCanOpen() {
        assertThatThrownBy(() -> new JdbcSettings("jdbc:h2:mem:x", "", "", 0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("poolSize");
        assertThatThrownBy(() -> new JdbcSettings("jdbc:h2:mem:x", "", "", 1, Duration.ofMillis(100)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectionTimeout");
        assertThatThrownBy(() -> new JdbcSettings(null, "", "", 1, Duration.ofSeconds(1)))
                .isInstanceOf(NullPointerException.class);
    }
}
