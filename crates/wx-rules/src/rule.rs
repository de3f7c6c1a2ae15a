//! Rules (what to match, what to answer), groups of rules under one guard, and wait rules (dialogues).

use crate::context::Context;
use crate::matcher::{Matcher, Predicate};
use crate::random::pick;
use crate::template::{Template, TemplateError};
use std::{future::Future, pin::Pin, sync::Arc, time::Duration};
use wx_push::{Article, Reply};

pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;
pub(crate) type ReplyFn = Arc<dyn Fn(Context) -> BoxFuture<Reply> + Send + Sync>;
pub(crate) type GuardFn = Arc<dyn Fn(Context) -> BoxFuture<Option<Reply>> + Send + Sync>;

/// A rule could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// The regular expression does not compile.
    #[error("rule {rule}: the regular expression is invalid: {reason}")]
    Regex {
        /// The rule.
        rule: String,
        /// regex's explanation.
        reason: String,
    },
    /// A template does not parse.
    #[error("rule {rule}: {source}")]
    Template {
        /// The rule.
        rule: String,
        /// Why.
        source: TemplateError,
    },
}

/// How a rule answers.
#[derive(Clone)]
pub(crate) enum Answer {
    /// Always this reply.
    Static(Reply),
    /// A text from a template.
    Text(Template),
    /// News whose title, description, picture and URL are templates.
    News(Vec<[Template; 4]>),
    /// One of these, at random.
    Random(Vec<Answer>),
    /// Your async function.
    Call(ReplyFn),
}

impl Answer {
    pub(crate) fn render(&self, ctx: &Context) -> BoxFuture<Reply> {
        match self {
            Answer::Static(reply) => Box::pin(std::future::ready(reply.clone())),
            Answer::Text(t) => Box::pin(std::future::ready(Reply::Text(t.render(ctx)))),
            Answer::News(items) => {
                let articles = items
                    .iter()
                    .map(|[title, description, pic_url, url]| Article {
                        title: title.render(ctx),
                        description: description.render(ctx),
                        pic_url: pic_url.render(ctx),
                        url: url.render(ctx),
                    })
                    .collect();
                Box::pin(std::future::ready(Reply::News(articles)))
            }
            Answer::Random(answers) => match pick(answers) {
                Some(answer) => answer.render(ctx),
                None => Box::pin(std::future::ready(Reply::Success)),
            },
            Answer::Call(f) => f(ctx.clone()),
        }
    }
}

/// A message to send after the reply, as a customer-service message (`message/custom/send`), rendered from the
/// rule's templates for the push that matched. wx-rules only says what to send; the server sends it (wx-server
/// does, with the account's API client, for a rule file's `follow_up`), because a passive reply is one message and
/// this is a second one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FollowUp {
    /// `text {content}`.
    Text(String),
    /// `news {articles: [one]}`: a card linking to a page.
    News(Article),
}

/// A follow-up's templates.
#[derive(Clone)]
pub(crate) enum FollowUpTemplate {
    Text(Template),
    News([Template; 4]),
}

impl FollowUpTemplate {
    pub(crate) fn render(&self, ctx: &Context) -> FollowUp {
        match self {
            Self::Text(t) => FollowUp::Text(t.render(ctx)),
            Self::News([title, description, pic_url, url]) => FollowUp::News(Article {
                title: title.render(ctx),
                description: description.render(ctx),
                pic_url: pic_url.render(ctx),
                url: url.render(ctx),
            }),
        }
    }
}

/// A named rule: matchers that must all hold, and an answer. Made with the builder methods; a rule without a
/// matcher matches every push (a fallback), one without an answer replies nothing (`success`).
///
/// ```
/// use wx_rules::Rule;
/// let weather = Rule::new("weather").regex(r"^weather (\w+)$")?.template("Sunny in {1}.")?;
/// let menu = Rule::new("menu").event("CLICK").event_key("V1001_TODAY").text("Today's menu …");
/// let welcome = Rule::new("welcome").event("subscribe").random_texts(["Hi!", "Hello!"])?;
/// # let _ = (weather, menu, welcome);
/// # Ok::<(), wx_rules::RuleError>(())
/// ```
#[derive(Clone)]
pub struct Rule {
    pub(crate) name: String,
    pub(crate) matchers: Vec<Matcher>,
    pub(crate) answer: Option<Answer>,
    pub(crate) save: Vec<(String, Template)>,
    pub(crate) then_wait: Option<String>,
    pub(crate) guard: Option<(String, GuardFn)>,
    pub(crate) follow_up: Option<FollowUpTemplate>,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("name", &self.name)
            .field("matchers", &self.matchers)
            .field("then_wait", &self.then_wait)
            .finish_non_exhaustive()
    }
}

impl Rule {
    /// A rule named `name` (in logs and errors).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            matchers: Vec::new(),
            answer: None,
            save: Vec::new(),
            then_wait: None,
            guard: None,
            follow_up: None,
        }
    }

    /// The rule's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn matcher(mut self, m: Matcher) -> Self {
        self.matchers.push(m);
        self
    }

    /// Matches the `MsgType` (`text`, `image`, `voice`, `event`, …).
    pub fn msg_type(self, msg_type: impl Into<String>) -> Self {
        self.matcher(Matcher::MsgType(msg_type.into()))
    }

    /// Matches the `Event` (`subscribe`, `SCAN`, `CLICK`, `VIEW`, `scancode_push`, `LOCATION`, …), case ignored;
    /// a trailing `*` matches every event starting so (`scancode_*`).
    pub fn event(self, event: impl Into<String>) -> Self {
        self.matcher(Matcher::Event(event.into()))
    }

    /// Matches the `EventKey` exactly (a button's key; `qrscene_42` for a follow from scene 42).
    pub fn event_key(self, key: impl Into<String>) -> Self {
        self.matcher(Matcher::EventKey(key.into()))
    }

    /// Matches an `EventKey` starting with `prefix` (`qrscene_` for every follow from a scene code).
    pub fn event_key_prefix(self, prefix: impl Into<String>) -> Self {
        self.matcher(Matcher::EventKeyPrefix(prefix.into()))
    }

    /// Matches a text equal to `text` once trimmed, case ignored.
    pub fn exact(self, text: impl Into<String>) -> Self {
        self.matcher(Matcher::Exact(text.into().trim().to_lowercase()))
    }

    /// Matches a text containing one of `words`, case ignored; `{0}` is the word found.
    pub fn keywords<I, S>(self, words: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.matcher(Matcher::Keywords(
            words
                .into_iter()
                .map(|w| crate::matcher::Keyword::new(w.into()))
                .collect(),
        ))
    }

    /// Matches any text (a voice message's recognition too).
    pub fn any_text(self) -> Self {
        self.matcher(Matcher::AnyText)
    }

    /// Matches a text with the regular expression `pattern`; its groups fill `{1}`, `{2}`, … and `{name}`.
    ///
    /// # Errors
    /// [`RuleError::Regex`] when `pattern` does not compile.
    pub fn regex(self, pattern: &str) -> Result<Self, RuleError> {
        let re = regex::Regex::new(pattern).map_err(|e| RuleError::Regex {
            rule: self.name.clone(),
            reason: e.to_string(),
        })?;
        Ok(self.matcher(Matcher::Regex(re)))
    }

    /// Matches when `predicate` holds for the push (and session).
    pub fn when(self, predicate: impl Fn(&Context) -> bool + Send + Sync + 'static) -> Self {
        let predicate: Predicate = Arc::new(predicate);
        self.matcher(Matcher::When(predicate))
    }

    /// Answers with `reply` (text, image, voice, video, music, news).
    pub fn reply(mut self, reply: Reply) -> Self {
        self.answer = Some(Answer::Static(reply));
        self
    }

    /// Answers with this text.
    pub fn text(self, text: impl Into<String>) -> Self {
        self.reply(Reply::Text(text.into()))
    }

    /// Answers with a text filled from the push, the captures and the session (see [`Template`]).
    ///
    /// # Errors
    /// [`RuleError::Template`] when the template does not parse.
    pub fn template(mut self, template: &str) -> Result<Self, RuleError> {
        self.answer = Some(Answer::Text(self.parse(template)?));
        Ok(self)
    }

    /// Answers with news articles whose fields are templates.
    ///
    /// # Errors
    /// [`RuleError::Template`] when a field does not parse.
    pub fn news_template(mut self, articles: &[Article]) -> Result<Self, RuleError> {
        let mut items = Vec::with_capacity(articles.len());
        for a in articles {
            items.push([
                self.parse(&a.title)?,
                self.parse(&a.description)?,
                self.parse(&a.pic_url)?,
                self.parse(&a.url)?,
            ]);
        }
        self.answer = Some(Answer::News(items));
        Ok(self)
    }

    /// After the reply, a customer-service text whose content is a template (see [`FollowUp`]; read with
    /// [`Router::answer_with_follow_up`](crate::Router::answer_with_follow_up)).
    ///
    /// # Errors
    /// [`RuleError::Template`] when the template does not parse.
    pub fn follow_up_text(mut self, template: &str) -> Result<Self, RuleError> {
        self.follow_up = Some(FollowUpTemplate::Text(self.parse(template)?));
        Ok(self)
    }

    /// After the reply, a customer-service news message (one article) whose fields are templates: a card linking
    /// to the H5 page, say `{public_url}/?scene={scene|url}` after a follow from a scene code.
    ///
    /// ```
    /// let article = wx_push::Article { title: "Open the app".into(), description: String::new(),
    ///     pic_url: String::new(), url: "https://h5.example.com/?scene={scene|url}".into() };
    /// let rule = wx_rules::Rule::new("follow").event("subscribe").text("Welcome!").follow_up_news(&article)?;
    /// # let _ = rule;
    /// # Ok::<(), wx_rules::RuleError>(())
    /// ```
    ///
    /// # Errors
    /// [`RuleError::Template`] when a field does not parse.
    pub fn follow_up_news(mut self, article: &Article) -> Result<Self, RuleError> {
        self.follow_up = Some(FollowUpTemplate::News([
            self.parse(&article.title)?,
            self.parse(&article.description)?,
            self.parse(&article.pic_url)?,
            self.parse(&article.url)?,
        ]));
        Ok(self)
    }

    #[cfg_attr(not(feature = "toml"), allow(dead_code))]
    pub(crate) fn set_follow_up(&mut self, follow_up: FollowUpTemplate) {
        self.follow_up = Some(follow_up);
    }

    /// Answers with one of `replies`, picked at random each time.
    pub fn random(mut self, replies: impl IntoIterator<Item = Reply>) -> Self {
        self.answer = Some(Answer::Random(replies.into_iter().map(Answer::Static).collect()));
        self
    }

    /// Answers with one of these text templates, picked at random each time (webot's reply lists).
    ///
    /// # Errors
    /// [`RuleError::Template`] when one does not parse.
    pub fn random_texts<I, S>(mut self, templates: I) -> Result<Self, RuleError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut answers = Vec::new();
        for t in templates {
            answers.push(Answer::Text(self.parse(t.as_ref())?));
        }
        self.answer = Some(Answer::Random(answers));
        Ok(self)
    }

    /// Answers with your async function; it may read and write the session and start or continue a dialogue
    /// ([`Context::wait`], [`Context::rewait`]).
    pub fn reply_with<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Reply> + Send + 'static,
    {
        self.answer = Some(Answer::Call(Arc::new(move |ctx| Box::pin(f(ctx)))));
        self
    }

    /// Before answering, saves the template's value in the session under `key` (a dialogue's answer: `{0}`).
    ///
    /// # Errors
    /// [`RuleError::Template`] when the template does not parse.
    pub fn save(mut self, key: impl Into<String>, template: &str) -> Result<Self, RuleError> {
        let t = self.parse(template)?;
        self.save.push((key.into(), t));
        Ok(self)
    }

    /// After answering, waits for the follower's next message with the wait rule `name`.
    pub fn then_wait(mut self, name: impl Into<String>) -> Self {
        self.then_wait = Some(name.into());
        self
    }

    #[cfg_attr(not(feature = "toml"), allow(dead_code))]
    pub(crate) fn set_answer(&mut self, answer: Answer) {
        self.answer = Some(answer);
    }

    fn parse(&self, template: &str) -> Result<Template, RuleError> {
        Template::parse(template).map_err(|source| RuleError::Template {
            rule: self.name.clone(),
            source,
        })
    }
}

/// Rules that share a guard (webot's `domain`): when one of them matches, the guard runs first; its reply, if
/// it gives one, is the answer instead ("log in first").
///
/// ```
/// use wx_rules::{Group, Router, Rule};
/// let members = Group::new("members", |ctx: wx_rules::Context| async move {
///     ctx.get("member").is_none().then(|| wx_push::Reply::text("Members only: send `join` first."))
/// })
/// .rule(Rule::new("perks").exact("perks").text("Free coffee on Fridays."));
/// let router = Router::new().group(members);
/// # let _ = router;
/// ```
pub struct Group {
    name: String,
    guard: GuardFn,
    rules: Vec<Rule>,
}

impl std::fmt::Debug for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Group")
            .field("name", &self.name)
            .field("rules", &self.rules)
            .finish()
    }
}

impl Group {
    /// A group named `name` whose rules run only when `guard` answers `None`.
    pub fn new<F, Fut>(name: impl Into<String>, guard: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<Reply>> + Send + 'static,
    {
        Self {
            name: name.into(),
            guard: Arc::new(move |ctx| Box::pin(guard(ctx))),
            rules: Vec::new(),
        }
    }

    /// Adds a rule (in order).
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    pub(crate) fn into_rules(self) -> Vec<Rule> {
        let Self { name, guard, rules } = self;
        rules
            .into_iter()
            .map(|mut r| {
                r.guard = Some((name.clone(), Arc::clone(&guard)));
                r
            })
            .collect()
    }
}

/// The default number of retries of a wait rule.
pub const DEFAULT_RETRIES: u32 = 2;
/// The default time a wait rule waits for the next message.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(300);

/// A rule that answers only the follower's next message, once a rule or handler asked to wait for it (webot's
/// `waitRule`): its branches are tried in order; a message none matches is retried (`retry`'s answer) up to
/// `retries` times, then the wait ends with `give_up`'s. An escape word ends it at once; a wait older than its
/// time-out is forgotten and the message goes to the ordinary rules. Events never answer a wait.
///
/// ```
/// use wx_rules::{Router, Rule, WaitRule};
/// let router = Router::new()
///     .rule(Rule::new("ask").exact("size?").text("Small, medium or large?").then_wait("size"))
///     .wait_rule(
///         WaitRule::new("size")
///             .branch(Rule::new("size").regex("(?i)^(small|medium|large)$")?.template("{1} it is.")?)
///             .retry_text("Please say small, medium or large.")
///             .escape(["cancel"]),
///     );
/// # let _ = router;
/// # Ok::<(), wx_rules::RuleError>(())
/// ```
#[derive(Clone)]
pub struct WaitRule {
    pub(crate) name: String,
    pub(crate) branches: Vec<Rule>,
    pub(crate) retries: u32,
    pub(crate) timeout: Duration,
    pub(crate) escape: Vec<String>,
    pub(crate) escaped: Answer,
    pub(crate) retry: Answer,
    pub(crate) give_up: Answer,
}

impl std::fmt::Debug for WaitRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitRule")
            .field("name", &self.name)
            .field("branches", &self.branches)
            .field("retries", &self.retries)
            .field("timeout", &self.timeout)
            .field("escape", &self.escape)
            .finish_non_exhaustive()
    }
}

impl WaitRule {
    /// A wait rule named `name` (what [`Rule::then_wait`] and [`Context::wait`] name), with
    /// [`DEFAULT_RETRIES`], [`DEFAULT_WAIT_TIMEOUT`], no escape word and plain default texts.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            branches: Vec::new(),
            retries: DEFAULT_RETRIES,
            timeout: DEFAULT_WAIT_TIMEOUT,
            escape: Vec::new(),
            escaped: Answer::Static(Reply::text("OK, stopped.")),
            retry: Answer::Static(Reply::text("Sorry, I did not get that. Please try again.")),
            give_up: Answer::Static(Reply::text("Let's leave it there.")),
        }
    }

    /// The wait rule's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds a branch: a rule tried on the next message. Its answer ends the wait unless it waits again
    /// ([`Rule::then_wait`], [`Context::wait`], [`Context::rewait`]).
    pub fn branch(mut self, rule: Rule) -> Self {
        self.branches.push(rule);
        self
    }

    /// How many unmatched messages are answered with the retry text before giving up.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// How long the wait lasts from the last message.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Words (trimmed, case ignored) that end the wait at once.
    pub fn escape<I, S>(mut self, words: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.escape = words.into_iter().map(Into::into).collect();
        self
    }

    /// The answer to an escape word.
    pub fn escaped_text(mut self, text: impl Into<String>) -> Self {
        self.escaped = Answer::Static(Reply::Text(text.into()));
        self
    }

    /// The answer to an unmatched message while retries remain.
    pub fn retry_text(mut self, text: impl Into<String>) -> Self {
        self.retry = Answer::Static(Reply::Text(text.into()));
        self
    }

    /// The answer when the retries are spent.
    pub fn give_up_text(mut self, text: impl Into<String>) -> Self {
        self.give_up = Answer::Static(Reply::Text(text.into()));
        self
    }

    #[cfg_attr(not(feature = "toml"), allow(dead_code))]
    pub(crate) fn set_texts(&mut self, escaped: Option<Template>, retry: Option<Template>, give_up: Option<Template>) {
        if let Some(t) = escaped {
            self.escaped = Answer::Text(t);
        }
        if let Some(t) = retry {
            self.retry = Answer::Text(t);
        }
        if let Some(t) = give_up {
            self.give_up = Answer::Text(t);
        }
    }

    pub(crate) fn is_escape(&self, text: &str) -> bool {
        let text = text.trim();
        self.escape
            .iter()
            .any(|w| w.trim().eq_ignore_ascii_case(text) || w.trim() == text)
    }
}
