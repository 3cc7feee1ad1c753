//! The README's instructions, run as a person would: each command of the console trial and of
//! "Starting in the new structure", read from the README itself and run with the real binary
//! in a new folder. A README edit that breaks a step breaks this test.

use std::path::{Path, PathBuf};
use std::process::Output;

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md")
}

/// The lines of the first ```sh block after `heading`.
fn sh_block_after(readme: &str, heading: &str) -> Vec<String> {
    let start = readme.find(heading).expect("the README has the section");
    let block = readme[start..]
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the section has a shell block");
    block.lines().map(str::to_owned).collect()
}

/// The inline `cnscd …` commands of the README's paragraph that starts with `lead`.
fn inline_commands(readme: &str, lead: &str) -> Vec<String> {
    let start = readme.find(lead).expect("the README has the paragraph");
    let paragraph = &readme[start..];
    let paragraph = &paragraph[..paragraph.find("\n- ").unwrap_or(paragraph.len())];
    paragraph
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| span.starts_with("cnscd "))
        .map(str::to_owned)
        .collect()
}

/// A folder where `cnscd` is the binary under test, as the README's alias makes it.
struct Shell {
    cwd: PathBuf,
    database: Option<String>,
}

impl Shell {
    fn run(&self, line: &str) -> Output {
        let script = format!(
            "cnscd() {{ \"{}\" \"$@\"; }}\n{line}",
            env!("CARGO_BIN_EXE_cnscd")
        );
        let mut command = std::process::Command::new("bash");
        command
            .args(["-c", &script])
            .current_dir(&self.cwd)
            .stdin(std::process::Stdio::null())
            .env("RUST_LOG", "warn")
            .env_remove("TELOXIDE_TOKEN");
        match &self.database {
            Some(url) => command.env("DATABASE_URL", url),
            None => command.env_remove("DATABASE_URL"),
        };
        let output = command.output().expect("bash runs");
        assert!(
            output.status.success(),
            "the README's line failed: {line}\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The code an invitation printed (`  code:      …`).
fn printed_code(out: &str) -> String {
    out.lines()
        .find_map(|line| line.trim().strip_prefix("code:"))
        .map(|code| code.trim().to_owned())
        .expect("the invitation prints its code")
}

#[test]
fn the_readmes_console_trial_runs_as_written_in_a_new_folder() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let shell = Shell {
        cwd: dir.path().to_owned(),
        database: None,
    };
    let mut code: Option<String> = None;
    let mut outputs = Vec::new();
    for line in sh_block_after(&readme(), "## A console trial, start to finish") {
        let command = line.trim();
        let skipped = command.is_empty()
            || command.starts_with('#')
            // Building and naming the binary, and the trial folder: the test has both.
            || command.starts_with("cargo build")
            || command.starts_with("mkdir ")
            // The interactive way, for a person at a keyboard; the piped line after it is
            // the same registration, run here.
            || command.contains("type the answers");
        if skipped {
            continue;
        }
        // What follows " #" is the README's comment on the line.
        let command = command.split(" #").next().unwrap_or_default().trim();
        let command = match &code {
            Some(code) => command.replace("<CODE>", code),
            None => command.to_owned(),
        };
        assert!(
            !command.contains("<CODE>"),
            "no code printed before: {line}"
        );
        if let Some(code) = &code {
            // An invitation code is piped in, never an argument of cnscd: the process list
            // would show it.
            let cnscd = command.rsplit("| ").next().unwrap_or_default();
            assert!(
                !cnscd.contains(code.as_str()),
                "the code on cnscd's command line: {line}"
            );
        }
        let out = stdout(&shell.run(&command));
        if command.starts_with("cnscd invite") {
            code = Some(printed_code(&out));
        }
        outputs.push((command, out));
    }

    // What the first command that is `start` (or begins with `start` and a space) printed.
    let said = |start: &str| -> &str {
        outputs
            .iter()
            .find(|(command, _)| command == start)
            .or_else(|| {
                outputs
                    .iter()
                    .find(|(command, _)| command.starts_with(start))
            })
            .map(|(_, out)| out.as_str())
            .unwrap_or_else(|| panic!("the trial runs {start}"))
    };
    assert!(said("cnscd units example").contains("Huyện Tứ Kỳ"));
    let villages = said("cnscd import villages");
    assert!(villages.contains("11083-01") && villages.contains("11083-02"));
    assert!(said("cnscd units list --parent 11083").contains("Thôn Tây Sơn"));
    // The first line of each that pipes something in and holds `part`.
    let piped = |part: &str| -> &str {
        outputs
            .iter()
            .find(|(command, _)| command.starts_with("printf") && command.contains(part))
            .map(|(_, out)| out.as_str())
            .unwrap_or_else(|| panic!("the trial pipes {part}"))
    };
    let registration = piped("Nguyễn Văn An");
    assert!(registration.contains("trưởng thôn: Thôn Đông Sơn, Xã Đại Sơn"));
    assert!(registration.contains("Trần Thị Bình giữ vai trò gì trong tổ?"));
    assert!(
        said("printf '1\\n' | cnscd console").contains("Số điện thoại di động của Trần Thị Bình?")
    );
    assert!(piped("console --chat xa --invite").contains("Xã Đại Sơn"));
    assert!(said("cnscd alerts run-once").contains("2 alerts queued"));
    let outbox = said("cnscd outbox list");
    assert!(outbox.contains("console:console") && outbox.contains("console:xa"));
    let digest = said("cnscd console --chat xa");
    assert!(digest.contains("Tình hình các thôn của xã"), "{digest}");
    assert!(digest.contains("Thôn Tây Sơn — chưa có tổ"), "{digest}");
    let head = said("cnscd console");
    let reminder = head
        .find("Thôn Đông Sơn: đang đăng ký")
        .expect("the reminder");
    let question = head
        .rfind("Số điện thoại di động của Trần Thị Bình?")
        .expect("the pending question");
    assert!(reminder < question, "the reminder comes first: {head}");
}

#[test]
fn the_readmes_start_in_the_new_structure_works_on_a_new_database() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let shell = Shell {
        // From the checkout, whose data/ holds the file, as the README says.
        cwd: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        database: Some(format!(
            "sqlite://{}",
            dir.path().join("cnscd.db").display()
        )),
    };
    let commands = inline_commands(&readme(), "- **Starting in the new structure**");
    assert_eq!(
        commands,
        [
            "cnscd import units data/vn-communes-2025.csv",
            "cnscd invite --role province-official --unit 31"
        ]
    );
    let outputs: Vec<String> = commands.iter().map(|c| stdout(&shell.run(c))).collect();

    assert!(outputs[0].contains("3355 inserted"), "{}", outputs[0]);
    assert!(
        outputs[1].contains("Thành phố Hải Phòng (31)"),
        "{}",
        outputs[1]
    );
    let provinces = stdout(&shell.run("cnscd units list"));
    assert_eq!(provinces.lines().count(), 34, "{provinces}");
    assert!(!provinces.contains("Hải Dương"), "{provinces}");
}

#[test]
fn an_import_into_the_untouched_2022_example_replaces_it_and_into_a_used_one_refuses() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let shell = Shell {
        cwd: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        database: Some(format!(
            "sqlite://{}",
            dir.path().join("cnscd.db").display()
        )),
    };
    shell.run("cnscd units example");
    let imported = stdout(&shell.run("cnscd import units data/vn-communes-2025.csv"));
    assert!(imported.contains("was replaced"), "{imported}");
    let provinces = stdout(&shell.run("cnscd units list"));
    assert!(!provinces.contains("Hải Dương"), "{provinces}");

    let used = tempfile::tempdir().expect("temporary directory");
    let shell = Shell {
        cwd: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        database: Some(format!(
            "sqlite://{}",
            used.path().join("cnscd.db").display()
        )),
    };
    shell.run("cnscd units example");
    shell.run("cnscd invite --role commune-official --unit 11083");
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_cnscd"))
        .args(["import", "units", "data/vn-communes-2025.csv"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", shell.database.as_deref().expect("url"))
        .output()
        .expect("cnscd runs");
    assert!(!refused.status.success(), "an example in use is kept");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("units reorganize"));
}

#[test]
fn the_console_on_a_new_database_says_how_to_load_units() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let shell = Shell {
        cwd: dir.path().to_owned(),
        database: None,
    };
    let out = stdout(&shell.run("printf '' | cnscd console"));
    assert!(out.contains("cnscd units example"), "{out}");
    assert!(
        out.contains("cnscd import units data/vn-communes-2025.csv"),
        "{out}"
    );
}

/// Issue 21, item 15: the README named every report format but `missing-csv`, and a commune
/// file that is not shipped.
#[test]
fn the_readme_names_every_report_format_and_only_commune_files_that_are_shipped() {
    use clap::ValueEnum;
    let readme = readme();
    for format in cnscd::report::ReportFormat::value_variants() {
        let name = format
            .to_possible_value()
            .expect("a value")
            .get_name()
            .to_owned();
        let lists: Vec<&str> = readme
            .split("--format ")
            .skip(1)
            .filter(|rest| rest.starts_with("xlsx"))
            .map(|rest| rest.split([' ', ']', '`']).next().unwrap_or(""))
            .collect();
        assert!(!lists.is_empty(), "the README lists no report formats");
        for list in lists {
            let names: Vec<&str> = list.split('|').map(|n| n.trim_end_matches('\\')).collect();
            assert!(
                names.contains(&name.as_str()),
                "{name} missing from `--format {list}`"
            );
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for word in readme.split(['`', ' ', '(', ')', ',', '\n']) {
        if word.ends_with(".csv") && word.contains("communes") {
            let path = root.join("data").join(word.trim_start_matches("data/"));
            assert!(
                path.exists(),
                "the README names {word}, which is not in data/"
            );
        }
    }
}

#[test]
fn the_console_logs_to_its_file_and_prints_no_log_line_into_the_chat() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let shell = Shell {
        cwd: dir.path().to_owned(),
        database: None,
    };
    let run = shell.run("printf '/start\\n' | RUST_LOG=debug cnscd console");
    let (out, err) = (stdout(&run), String::from_utf8_lossy(&run.stderr));
    assert!(
        !out.contains("DEBUG") && !out.contains("INFO") && err.is_empty(),
        "log lines in the console's terminal:\n{out}\n{err}"
    );
    let log = std::fs::read_to_string(dir.path().join("cnscd-console.log"))
        .expect("the console's log file");
    assert!(log.contains("DEBUG"), "{log}");
}

/// Issue 24: the README's period report on the example, every line run as written.
#[test]
fn the_readmes_period_report_runs_as_written_in_a_new_folder() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let shell = Shell {
        cwd: dir.path().to_owned(),
        database: None,
    };
    for line in sh_block_after(&readme(), "## The teams' work, by period") {
        shell.run(line.trim());
    }
    let docx = std::fs::read(dir.path().join("bao-cao-11-2026.docx")).expect("the DOCX");
    let text = docx_rs::read_docx(&docx).expect("a readable DOCX").json();
    assert!(text.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert!(
        text.contains("9.500"),
        "the population set by the README's file"
    );
    assert!(dir.path().join("hoat-dong-q4-2026.xlsx").exists());
}

#[test]
fn the_readmes_help_requests_are_typed_and_pressed_as_written_in_the_goldens() {
    let readme = readme();
    let start = readme
        .find("## Residents ask for help")
        .expect("the README has the section");
    let rest = &readme[start + 3..];
    let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
    let goldens: String = [
        "help_a_request_is_taken_by_the_second_member_while_the_first_is_slower",
        "help_a_request_closed_as_not_solved_is_rated_and_reopened",
        "help_requests_refused_politely_change_nothing",
    ]
    .iter()
    .map(|name| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/transcripts")
            .join(format!("{name}.txt"));
        std::fs::read_to_string(path).expect("the golden")
    })
    .collect();
    let done: Vec<&str> = goldens
        .lines()
        .filter_map(|line| line.strip_prefix("> "))
        .map(|said| {
            said.strip_prefix("[old:")
                .map_or(said, |s| s.trim_end_matches(']'))
        })
        .collect();
    let mut checked = 0;
    // Settings (`reopen_days`), sections (`[help]`) and commands are not typed in a request.
    for span in section.split('`').skip(1).step_by(2) {
        if span.starts_with('[') || span.starts_with('/') || span.contains('_') {
            continue;
        }
        let pressed = format!("[{span}]");
        assert!(
            done.iter().any(|said| *said == span || *said == pressed),
            "the README's `{span}` is never typed or pressed in the help goldens"
        );
        checked += 1;
    }
    assert!(
        checked >= 15,
        "only {checked} instructions found in the section"
    );
}

/// Issue 25: the README's announcement on the example, every line run as written.
#[test]
fn the_readmes_announcement_runs_as_written_in_a_new_folder() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let shell = Shell {
        cwd: dir.path().to_owned(),
        database: None,
    };
    let lines = sh_block_after(&readme(), "## Announcements");
    let printed: Vec<String> = lines
        .iter()
        .map(|line| stdout(&shell.run(line.trim())))
        .collect();
    let sent = &printed[1];
    assert!(
        sent.contains("announcement 1: Xã Đại Sơn (11083), to the heads (team leaders)"),
        "{sent}"
    );
    assert!(sent.contains("queued for 0, not reachable 0"), "{sent}");
    let status = &printed[2];
    assert!(
        status.contains("announcement 1 (11083, the heads (team leaders)")
            && status.contains("Tập huấn VNeID"),
        "{status}"
    );
}
