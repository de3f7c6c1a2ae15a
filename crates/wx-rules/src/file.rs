//! Rule files in TOML (webot's `webot.loads`): keyword, regex and event replies, news, random lists and
//! dialogues, checked whole before anything runs. Errors name the line and the fix, and never quote a value.
//!
//! ```toml
//! [[rule]]
//! name = "hello"
//! keywords = ["hi", "hello"]
//! texts = ["Hello {openid}!", "Hi there!"]   # one at random
//!
//! [[rule]]
//! name = "weather"
//! regex = '^weather (\w+)$'
//! text = "Sunny in {1}."
//!
//! [[rule]]
//! name = "survey"
//! exact = "survey"
//! dialogue = "survey"        # replies with the first step's question
//!
//! [[rule]]
//! name = "follow from a poster"
//! event = "subscribe"
//! event_key_prefix = "qrscene_"
//! text = "Welcome!"
//! # after the reply, a customer-service message (sent by the server with the account's API client)
//! follow_up.news = { title = "Open the app", url = "https://h5.example.com/?scene={scene|url}" }
//!
//! [[dialogue]]
//! name = "survey"
//! escape = ["cancel"]
//! done = "Thanks, {session.name}!"
//! [[dialogue.step]]
//! ask = "Your name?"
//! save = "name"
//! ```

use crate::rule::{Answer, FollowUpTemplate, Rule, RuleError, WaitRule};
use crate::template::{BUILT_IN, Template};
use crate::{Router, rule::DEFAULT_RETRIES};
use serde::Deserialize;
use std::time::Duration;
use toml::Spanned;
use wx_push::{Music, Reply, Video};

/// A rule file that cannot be used: where and why.
///
/// ```
/// let e = wx_rules::parse_rules("[[rule]]\nname = \"a\"\n", &[]).unwrap_err();
/// assert_eq!(e.line, Some(1));
/// assert!(e.to_string().starts_with("line 1: rule `a` has no reply"), "{e}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct RuleFileError {
    /// The line (1-based), when the error has one.
    pub line: Option<usize>,
    /// What is wrong and how to fix it.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    session_ttl_secs: Option<u64>,
    #[serde(default)]
    rule: Vec<Spanned<RuleSpec>>,
    #[serde(default)]
    dialogue: Vec<Spanned<DialogueSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    name: String,
    msg_type: Option<String>,
    event: Option<String>,
    event_key: Option<String>,
    event_key_prefix: Option<String>,
    exact: Option<String>,
    keywords: Option<Vec<String>>,
    regex: Option<Spanned<String>>,
    text: Option<String>,
    texts: Option<Vec<String>>,
    news: Option<Vec<ArticleSpec>>,
    image: Option<String>,
    voice: Option<String>,
    video: Option<VideoSpec>,
    music: Option<MusicSpec>,
    dialogue: Option<String>,
    follow_up: Option<FollowUpSpec>,
}

/// `[rule.follow_up]`: one customer-service message sent after the reply.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FollowUpSpec {
    text: Option<String>,
    news: Option<ArticleSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArticleSpec {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    pic_url: String,
    url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VideoSpec {
    media_id: String,
    title: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MusicSpec {
    thumb_media_id: String,
    title: Option<String>,
    description: Option<String>,
    music_url: Option<String>,
    hq_music_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DialogueSpec {
    name: String,
    timeout_secs: Option<u64>,
    retries: Option<u32>,
    #[serde(default)]
    escape: Vec<String>,
    escaped: Option<String>,
    retry: Option<String>,
    give_up: Option<String>,
    done: String,
    step: Vec<Spanned<StepSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepSpec {
    ask: String,
    save: Option<String>,
    regex: Option<Spanned<String>>,
}

/// Parses a rule file into a [`Router`] (sessions in memory until
/// [`session_store`](Router::session_store) says otherwise). `vars` are the variables templates may name
/// (`("public_url", "https://h5.example.com")`); a placeholder that is neither built in, a group of the rule's
/// regular expression, `session.…` nor one of `vars` is an error, so a typo is found at load, not by a follower.
///
/// ```
/// let router = wx_rules::parse_rules(
///     "[[rule]]\nname = \"app\"\nexact = \"app\"\ntext = \"{public_url}/\"\n",
///     &[("public_url", "https://h5.example.com")],
/// )?;
/// assert_eq!(router.rule_names().collect::<Vec<_>>(), ["app"]);
/// # Ok::<(), wx_rules::RuleFileError>(())
/// ```
///
/// # Errors
/// [`RuleFileError`] with the line and the reason: TOML syntax, an unknown key, a rule without a reply or with
/// two, a regular expression that does not compile, an unknown placeholder, a dialogue that does not exist.
pub fn parse_rules(text: &str, vars: &[(&str, &str)]) -> Result<Router, RuleFileError> {
    let spec: FileSpec = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
    let line_of = |offset: usize| Some(line_at(text, offset));
    let mut router = Router::new();
    for (name, value) in vars {
        router = router.var(*name, *value);
    }
    if let Some(ttl) = spec.session_ttl_secs {
        router = router.session_ttl(Duration::from_secs(ttl.max(1)));
    }
    let mut dialogues = Vec::new();
    for d in &spec.dialogue {
        let line = line_of(d.span().start);
        let err = |message: String| RuleFileError { line, message };
        let d = d.get_ref();
        if d.step.is_empty() {
            return Err(err(format!(
                "dialogue `{}` has no step: add a [[dialogue.step]] with `ask`",
                d.name
            )));
        }
        if dialogues.iter().any(|(n, _): &(String, Template)| *n == d.name) {
            return Err(err(format!(
                "a second dialogue is named `{}`: names must differ",
                d.name
            )));
        }
        let first = checked(&d.step[0].get_ref().ask, &Scope::plain(vars), line)?;
        dialogues.push((d.name.clone(), first));
        let texts = |t: &Option<String>| t.as_deref().map(|t| checked(t, &Scope::plain(vars), line)).transpose();
        for (i, step) in d.step.iter().enumerate() {
            let step_line = line_of(step.span().start);
            let s = step.get_ref();
            let mut branch = Rule::new(format!("{}#{}", d.name, i + 1));
            let mut scope = Scope::plain(vars);
            branch = match &s.regex {
                Some(re) => {
                    let compiled = compile(&branch.name, re, text)?;
                    scope = Scope::of(&compiled, vars);
                    branch.matcher(crate::matcher::Matcher::Regex(compiled))
                }
                None => branch.any_text(),
            };
            if let Some(key) = &s.save {
                branch = branch.save(key.clone(), "{0}").map_err(|e| rule_error(step_line, &e))?;
            }
            let reply = match d.step.get(i + 1) {
                Some(next) => {
                    branch = branch.then_wait(format!("{}#{}", d.name, i + 2));
                    checked(&next.get_ref().ask, &scope, line_of(next.span().start))?
                }
                None => checked(&d.done, &scope, line)?,
            };
            branch.set_answer(Answer::Text(reply));
            let mut wait = WaitRule::new(format!("{}#{}", d.name, i + 1))
                .branch(branch)
                .retries(d.retries.unwrap_or(DEFAULT_RETRIES))
                .escape(d.escape.iter().cloned());
            if let Some(secs) = d.timeout_secs {
                wait = wait.timeout(Duration::from_secs(secs));
            }
            wait.set_texts(texts(&d.escaped)?, texts(&d.retry)?, texts(&d.give_up)?);
            router = router.wait_rule(wait);
        }
    }
    for r in &spec.rule {
        let line = line_of(r.span().start);
        router = router.rule(rule(r.get_ref(), line, text, vars, &dialogues)?);
    }
    Ok(router)
}

fn rule(
    spec: &RuleSpec,
    line: Option<usize>,
    text: &str,
    vars: &[(&str, &str)],
    dialogues: &[(String, Template)],
) -> Result<Rule, RuleFileError> {
    let err = |message: String| RuleFileError { line, message };
    let mut rule = Rule::new(spec.name.clone());
    let mut scope = Scope::plain(vars);
    if let Some(t) = &spec.msg_type {
        rule = rule.msg_type(t.clone());
    }
    if let Some(e) = &spec.event {
        rule = rule.event(e.clone());
    }
    if let Some(k) = &spec.event_key {
        rule = rule.event_key(k.clone());
    }
    if let Some(p) = &spec.event_key_prefix {
        rule = rule.event_key_prefix(p.clone());
    }
    if let Some(x) = &spec.exact {
        rule = rule.exact(x.clone());
    }
    if let Some(k) = &spec.keywords {
        if k.is_empty() || k.iter().any(|w| w.trim().is_empty()) {
            return Err(err(format!("rule `{}`: `keywords` needs non-empty words", spec.name)));
        }
        rule = rule.keywords(k.iter().cloned());
    }
    if let Some(re) = &spec.regex {
        let compiled = compile(&spec.name, re, text)?;
        scope = Scope::of(&compiled, vars);
        rule = rule.matcher(crate::matcher::Matcher::Regex(compiled));
    }
    let given: Vec<&str> = [
        ("text", spec.text.is_some()),
        ("texts", spec.texts.is_some()),
        ("news", spec.news.is_some()),
        ("image", spec.image.is_some()),
        ("voice", spec.voice.is_some()),
        ("video", spec.video.is_some()),
        ("music", spec.music.is_some()),
        ("dialogue", spec.dialogue.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, given)| given.then_some(k))
    .collect();
    match given.as_slice() {
        [] => {
            return Err(err(format!(
                "rule `{}` has no reply: give one of text, texts, news, image, voice, video, music, dialogue",
                spec.name
            )));
        }
        [_] => {}
        many => {
            return Err(err(format!(
                "rule `{}` has {} replies ({}): keep one",
                spec.name,
                many.len(),
                many.join(", ")
            )));
        }
    }
    let check = |t: &str| checked(t, &scope, line);
    let answer = if let Some(t) = &spec.text {
        Answer::Text(check(t)?)
    } else if let Some(ts) = &spec.texts {
        if ts.is_empty() {
            return Err(err(format!("rule `{}`: `texts` needs at least one text", spec.name)));
        }
        Answer::Random(
            ts.iter()
                .map(|t| check(t).map(Answer::Text))
                .collect::<Result<_, _>>()?,
        )
    } else if let Some(news) = &spec.news {
        if news.is_empty() || news.len() > wx_push::MAX_ARTICLES {
            return Err(err(format!(
                "rule `{}`: `news` needs 1 to {} articles (1 when answering a message)",
                spec.name,
                wx_push::MAX_ARTICLES
            )));
        }
        let mut items = Vec::new();
        for a in news {
            items.push([
                check(&a.title)?,
                check(&a.description)?,
                check(&a.pic_url)?,
                check(&a.url)?,
            ]);
        }
        Answer::News(items)
    } else if let Some(id) = &spec.image {
        Answer::Static(Reply::image(id.clone()))
    } else if let Some(id) = &spec.voice {
        Answer::Static(Reply::voice(id.clone()))
    } else if let Some(v) = &spec.video {
        Answer::Static(Reply::Video(Video {
            media_id: v.media_id.clone(),
            title: v.title.clone(),
            description: v.description.clone(),
        }))
    } else if let Some(m) = &spec.music {
        Answer::Static(Reply::Music(Music {
            title: m.title.clone(),
            description: m.description.clone(),
            music_url: m.music_url.clone(),
            hq_music_url: m.hq_music_url.clone(),
            thumb_media_id: m.thumb_media_id.clone(),
        }))
    } else {
        let name = spec.dialogue.as_deref().unwrap_or_default();
        let Some((_, first)) = dialogues.iter().find(|(n, _)| n == name) else {
            return Err(err(format!(
                "rule `{}` starts dialogue `{name}`, which is not declared: add a [[dialogue]] named so",
                spec.name
            )));
        };
        rule = rule.then_wait(format!("{name}#1"));
        Answer::Text(first.clone())
    };
    rule.set_answer(answer);
    if let Some(f) = &spec.follow_up {
        let follow_up = match (&f.text, &f.news) {
            (Some(t), None) => FollowUpTemplate::Text(check(t)?),
            (None, Some(a)) => FollowUpTemplate::News([
                check(&a.title)?,
                check(&a.description)?,
                check(&a.pic_url)?,
                check(&a.url)?,
            ]),
            _ => {
                return Err(err(format!(
                    "rule `{}`: `follow_up` needs one of `text` or `news` (one article: title, url, description,                      pic_url)",
                    spec.name
                )));
            }
        };
        rule.set_follow_up(follow_up);
    }
    Ok(rule)
}

/// The names a rule's templates may use besides the built-in ones.
struct Scope<'a> {
    groups: usize,
    named: Vec<String>,
    vars: &'a [(&'a str, &'a str)],
}

impl<'a> Scope<'a> {
    /// No regular expression: `{0}` is the text or keyword matched.
    fn plain(vars: &'a [(&'a str, &'a str)]) -> Self {
        Self {
            groups: 1,
            named: Vec::new(),
            vars,
        }
    }

    fn of(re: &regex::Regex, vars: &'a [(&'a str, &'a str)]) -> Self {
        Self {
            groups: re.captures_len(),
            named: re.capture_names().flatten().map(str::to_owned).collect(),
            vars,
        }
    }

    fn knows(&self, name: &str) -> bool {
        BUILT_IN.contains(&name)
            || name.parse::<usize>().is_ok_and(|i| i < self.groups)
            || name.strip_prefix("session.").is_some_and(|k| !k.is_empty())
            || self.named.iter().any(|n| n == name)
            || self.vars.iter().any(|(n, _)| *n == name)
    }
}

fn checked(template: &str, scope: &Scope<'_>, line: Option<usize>) -> Result<Template, RuleFileError> {
    let t = Template::parse(template).map_err(|e| RuleFileError {
        line,
        message: e.to_string(),
    })?;
    if let Some(unknown) = t.placeholders().find(|n| !scope.knows(n)) {
        let hint = if unknown == "public_url" {
            " (set WX_PUBLIC_URL)".to_owned()
        } else {
            format!(
                " (known: {}, {{0}}..{{{}}}, {{session.<key>}}{}{})",
                BUILT_IN.map(|n| format!("{{{n}}}")).join(", "),
                scope.groups.saturating_sub(1),
                scope.named.iter().map(|n| format!(", {{{n}}}")).collect::<String>(),
                scope.vars.iter().map(|(n, _)| format!(", {{{n}}}")).collect::<String>(),
            )
        };
        return Err(RuleFileError {
            line,
            message: format!("unknown placeholder `{{{unknown}}}`{hint}"),
        });
    }
    Ok(t)
}

fn compile(rule: &str, re: &Spanned<String>, text: &str) -> Result<regex::Regex, RuleFileError> {
    regex::Regex::new(re.get_ref()).map_err(|e| {
        // regex's message quotes the pattern, which is the file's own text, not a secret.
        let reason = e.to_string();
        RuleFileError {
            line: Some(line_at(text, re.span().start)),
            message: format!("rule `{rule}`: the regular expression is invalid: {reason}"),
        }
    })
}

fn rule_error(line: Option<usize>, e: &RuleError) -> RuleFileError {
    RuleFileError {
        line,
        message: e.to_string(),
    }
}

fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// TOML's error with its line, without the value serde would quote (a rule file may sit beside secrets, and a
/// mistyped key may hold one).
fn toml_error(text: &str, error: &toml::de::Error) -> RuleFileError {
    let message = error.message().trim();
    let message = if message.starts_with("invalid type") || message.starts_with("invalid value") {
        let (head, rest) = message.split_once(": ").unwrap_or((message, ""));
        let kind = rest.split([' ', ',']).next().unwrap_or_default();
        let expected = rest.rfind(", expected").map_or("", |at| &rest[at..]);
        format!("{head}: {kind}{expected}")
    } else {
        message.to_owned()
    };
    RuleFileError {
        line: error.span().map(|s| line_at(text, s.start)),
        message,
    }
}
