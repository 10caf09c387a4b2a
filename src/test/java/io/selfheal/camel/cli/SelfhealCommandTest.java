package io.selfheal.camel.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar's command line as a user meets it: --help on every level lists the commands and options, --version prints
 * the built version, help COMMAND shows that command's usage, and an unknown command or option exits 2 with the
 * error and the usage on stderr, nothing on stdout. (None of these starts the job or opens a store.)
 */
class SelfhealCommandTest {
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SelfhealCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryCommandWithADescription() {
        Run r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("Usage: java -jar selfheal.jar")
                .containsPattern("(?m)^  run +Runs the job")
                .containsPattern("(?m)^  parked +The parked messages")
                .containsPattern("(?m)^  report +Retry drift per upstream")
                .containsPattern("(?m)^  help +\\S")
                .contains("-h, --help").contains("-V, --version");
        assertThat(run("-h").out()).isEqualTo(r.out());
    }

    @Test
    void parkedHelpListsItsSubcommandsAndEachOfThemItsOptions() {
        Run r = run("parked", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Usage: java -jar selfheal.jar parked")
                .containsPattern("(?m)^  list +A table")
                .containsPattern("(?m)^  show +One record")
                .containsPattern("(?m)^  replay +Asks the running job")
                .containsPattern("(?m)^  discard +Accepts the loss")
                .containsPattern("(?m)^  help +\\S");
        assertThat(run("parked", "replay", "--help").out()).contains("[ID...]").contains("--upstream=NAME")
                .contains("--max-attempts=N").contains("--max-duration=DURATION").contains("--to=ENDPOINT-URI")
                .contains("--wait=DURATION").contains("--by=NAME");
        assertThat(run("parked", "list", "-h").out()).contains("--status=STATUS").contains("REPLAY_REQUESTED")
                .contains("--upstream=NAME").contains("--limit=N").contains("(default: 100)");
        assertThat(run("parked", "discard", "--help").out()).contains("--reason=TEXT").contains("--by=NAME");
        assertThat(run("report", "--help").out()).contains("--url=URL");
        assertThat(run("run", "--help").out()).contains("CAMEL-MAIN-ARGUMENT");
    }

    @Test
    void helpCommandShowsTheUsageOfTheCommandItNames() {
        Run r = run("help", "parked");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo(run("parked", "--help").out());
        assertThat(run("help").out()).isEqualTo(run("--help").out());
        assertThat(run("parked", "help", "replay").out()).isEqualTo(run("parked", "replay", "--help").out());
    }

    @Test
    void versionPrintsTheVersionTheBuildWrote() throws Exception {
        Properties p = new Properties();
        try (InputStream in = SelfhealCommandTest.class.getResourceAsStream("/io/selfheal/version.properties")) {
            assertThat(in).as("version.properties on the classpath").isNotNull();
            p.load(in);
        }
        String version = p.getProperty("version");
        assertThat(version).isNotBlank().doesNotContain("${");
        Run r = run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out().trim()).isEqualTo("Selfheal " + version);
        assertThat(run("-V").out()).isEqualTo(r.out());
        assertThat(run("parked", "--version").out()).isEqualTo(r.out());
    }

    @Test
    void anUnknownCommandExitsTwoWithTheErrorAndTheUsageOnStderr() {
        Run r = run("bogus");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("Unknown command: 'bogus'").contains("Usage: java -jar selfheal.jar")
                .contains("parked").contains("report");

        Run near = run("parked", "lst");
        assertThat(near.code()).isEqualTo(2);
        assertThat(near.err()).contains("Unknown command: 'lst'").contains("Did you mean: parked list?")
                .contains("Usage: java -jar selfheal.jar parked");
    }

    @Test
    void anUnknownOptionExitsTwoWithTheErrorAndTheUsageOfItsCommandOnStderr() {
        Run top = run("--bogus");
        assertThat(top.code()).isEqualTo(2);
        assertThat(top.out()).isEmpty();
        assertThat(top.err()).startsWith("Unknown option: '--bogus'").contains("Usage: java -jar selfheal.jar");

        Run sub = run("parked", "list", "--statu", "PARKED");
        assertThat(sub.code()).isEqualTo(2);
        assertThat(sub.out()).isEmpty();
        assertThat(sub.err()).contains("Unknown option").contains("'--statu'").contains("Possible solutions: --status")
                .contains("Usage: java -jar selfheal.jar parked list");
    }

    @Test
    void badArgumentsAreUsageErrorsThatNameTheArgument() {
        assertThat(run("parked").code()).as("parked alone").isEqualTo(2);
        Run limit = run("parked", "list", "--limit", "0");
        assertThat(limit.code()).isEqualTo(2);
        assertThat(limit.err()).contains("--limit").contains("'0' is not a whole number of at least 1");
        Run status = run("parked", "list", "--status", "GONE");
        assertThat(status.code()).isEqualTo(2);
        assertThat(status.err()).contains("--status").contains("GONE").contains("PARKED");
        Run id = run("parked", "show", "twelve");
        assertThat(id.code()).isEqualTo(2);
        assertThat(id.err()).contains("'twelve' is not a message ID");
        Run wait = run("parked", "replay", "12", "--wait", "soon");
        assertThat(wait.code()).isEqualTo(2);
        assertThat(wait.err()).contains("--wait").contains("'soon' is not a duration");
        Run reason = run("parked", "discard", "12");
        assertThat(reason.code()).isEqualTo(2);
        assertThat(reason.err()).contains("--reason");
        Run both = run("parked", "replay", "12", "--upstream", "inventory");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("give IDs or --upstream, not both").contains("Usage:");
        assertThat(run("parked", "replay").err()).contains("replay needs IDs or --upstream NAME");
    }

    @Test
    void runPassesCamelMainArgumentsThrough() {
        CommandLine cli = SelfhealCommand.commandLine();
        CommandLine.ParseResult parsed = cli.parseArgs("run", "-duration", "5s", "--max-idle", "3");
        RunCommand run = (RunCommand) parsed.subcommand().commandSpec().userObject();
        assertThat(run.camelMainArguments).containsExactly("-duration", "5s", "--max-idle", "3");
    }

    @Test
    void messageIdsMayCarryAHash() {
        CommandLine.ParseResult parsed = SelfhealCommand.commandLine().parseArgs("parked", "replay", "#12", "13");
        ParkedCommand.ReplayCommand replay =
                (ParkedCommand.ReplayCommand) parsed.subcommand().subcommand().commandSpec().userObject();
        assertThat(replay.ids).containsExactly(12L, 13L);
    }
}
