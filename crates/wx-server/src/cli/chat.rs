//! `wx-server chat`: a follower talking to a server from the terminal (webot-cli's role): each line typed is sent
//! as a text message and the reply printed; `/click KEY`, `/subscribe SCENE` and the other push types send events.

use super::push::{TargetArgs, attempt_lines, reply_lines, usage};
use clap::{Args, Parser};
use std::{
    io::{BufRead, IsTerminal, Write},
    process::ExitCode,
};
use wx_server::fake::SimulatedPush;

/// Talk to a server as a follower: each line on stdin is sent as a text message and the reply is printed.
///
/// A line starting with `/` is any push `wx-server push` sends, without quotes (`/subscribe spring`, `/click
/// MENU_KEY`, `/location 23.13 113.26 --label Canton`, `/voice --recognition hello`); `/help` lists them and
/// `/quit` or end of input (Ctrl-D) ends the chat. Works with piped stdin too. Exits 0 after end of input.
#[derive(Debug, Args)]
pub struct ChatArgs {
    #[command(flatten)]
    target: TargetArgs,
}

/// A `/…` line, read as the `push` subcommand reads its arguments.
#[derive(Debug, Parser)]
#[command(
    name = "/",
    no_binary_name = true,
    disable_help_flag = true,
    disable_version_flag = true
)]
struct PushLine {
    #[command(subcommand)]
    push: SimulatedPush,
}

/// What one line asks for.
enum Line {
    Send(SimulatedPush),
    Skip,
    Quit,
    /// Text to show (help or a mistake in a `/…` line); the chat goes on.
    Say(String),
}

fn read_line(line: &str) -> Line {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        return Line::Skip;
    }
    let Some(command) = line.trim_start().strip_prefix('/') else {
        return Line::Send(SimulatedPush::Text {
            content: line.to_owned(),
            msg_id: None,
        });
    };
    match command.trim() {
        "quit" | "exit" => return Line::Quit,
        "help" | "" => return Line::Say(help()),
        _ => {}
    }
    match PushLine::try_parse_from(command.split_whitespace()) {
        Ok(parsed) => Line::Send(parsed.push),
        Err(e) => Line::Say(e.render().to_string()),
    }
}

fn help() -> String {
    use clap::CommandFactory;
    PushLine::command().render_long_help().to_string().replace(
        "Usage: / <COMMAND>",
        "Usage: /<COMMAND> [ARGS] (a line without / is a text message)",
    )
}

impl ChatArgs {
    pub fn run(self) -> ExitCode {
        let target = match self.target.open() {
            Ok(target) => target,
            Err(message) => return usage(&message),
        };
        let runtime = match super::runtime() {
            Ok(rt) => rt,
            Err(code) => return code,
        };
        let interactive = std::io::stdin().is_terminal();
        if interactive {
            eprintln!(
                "chatting with {} as {} ({:?} mode); /help lists the events, Ctrl-D ends",
                target.url, target.openid, target.mode
            );
        }
        let mut stdout = std::io::stdout();
        for line in std::io::stdin().lock().lines() {
            let line = match line {
                Ok(line) => line,
                Err(e) => {
                    eprintln!("error: cannot read stdin: {e}");
                    return ExitCode::from(1);
                }
            };
            let push = match read_line(&line) {
                Line::Send(push) => push,
                Line::Skip => continue,
                Line::Quit => break,
                Line::Say(text) => {
                    eprintln!("{}", text.trim_end());
                    continue;
                }
            };
            let sent =
                runtime.block_on(
                    target
                        .simulator
                        .send(&target.url, target.mode, &push, &target.openid, target.timing),
                );
            match sent {
                Ok(report) => {
                    let (lines, _) = reply_lines(&report);
                    // The attempts' timing on stderr, the reply on stdout: piped output is the conversation.
                    for attempt in attempt_lines(&report) {
                        eprintln!("  {attempt}");
                    }
                    let _ = writeln!(stdout, "{}", lines.first().map(String::as_str).unwrap_or_default());
                }
                Err(e) => eprintln!("error: {e}"),
            }
            let _ = stdout.flush();
        }
        ExitCode::SUCCESS
    }
}
