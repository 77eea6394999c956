//! The Coach: LLM suggestions and chat about a lap, through any OpenAI-compatible
//! chat-completions API (async-openai), rate limited per user.
//!
//! One actor per process. It holds the client (none without `openai.api_key`: then
//! every request answers [`CoachError::Off`] and the built-in analysis stands alone),
//! the per-user limiter and a bound on requests in flight. Requests run as futures
//! beside the actor's mailbox, so a slow model does not hold up other users.
//!
//! What it guarantees: the model only ever sees the built-in analysis (the caller
//! builds the context with `coaching::coaching_context`); suggestions go through
//! structured outputs (a JSON schema) and are checked, one retry on invalid output;
//! 429 and 5xx answers are retried with exponential backoff (async-openai's retry
//! layer); every request has a deadline (`openai.timeout_s`); the key stays in this process (never logged:
//! `OpenAIConfig` keeps it as a secret).

use crate::rate_limit::KeyedLimiter;
use actix::prelude::*;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::chat::{
    ChatCompletionRequestAssistantMessageArgs, ChatCompletionRequestMessage, ChatCompletionRequestSystemMessageArgs,
    ChatCompletionRequestUserMessageArgs, CreateChatCompletionRequest, CreateChatCompletionRequestArgs, ResponseFormat,
    ResponseFormatJsonSchema,
};
use async_openai::Client;
use futures_util::StreamExt;
use purplesector_engine::coaching::{
    chat_system_prompt, parse_suggestions, suggestion_system_prompt, suggestions_schema, AiSuggestion,
};
use purplesector_engine::config::OpenAiSettings;
use purplesector_engine::storage::UserId;
use std::time::Duration;
use tokio::sync::{mpsc, Semaphore};

/// Requests to the model in flight at once, over all users.
const MAX_IN_FLIGHT: usize = 16;
/// Pieces of a streamed reply buffered towards the browser.
const CHAT_CHUNKS: usize = 64;
/// Earlier chat messages sent with a new one (the newest).
pub const MAX_HISTORY_MESSAGES: usize = 20;

/// What can keep the Coach from answering; each has a message for the driver.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoachError {
    #[error("AI coaching is off on this server (no OpenAI API key configured); the built-in suggestions still apply")]
    Off,
    #[error("too many AI requests: try again in {retry_after_s} s")]
    RateLimited { retry_after_s: u64 },
    #[error("the AI coach is busy: try again shortly")]
    Busy,
    #[error("the AI model did not answer within {0} s")]
    Timeout(u64),
    #[error("the AI model's service refused: {0}")]
    Upstream(String),
    #[error("the AI model's answer was not valid twice in a row: {0}")]
    BadOutput(String),
}

impl CoachError {
    pub fn code(&self) -> &'static str {
        match self {
            CoachError::Off => "ai_off",
            CoachError::RateLimited { .. } => "rate_limited",
            CoachError::Busy => "ai_busy",
            CoachError::Timeout(_) => "ai_timeout",
            CoachError::Upstream(_) => "ai_upstream",
            CoachError::BadOutput(_) => "ai_bad_output",
        }
    }
}

/// One earlier message of a lap's chat.
#[derive(Debug, Clone)]
pub struct ChatTurn {
    /// `user` or `assistant`.
    pub role: String,
    pub content: String,
}

/// The client and what every request needs.
#[derive(Clone)]
struct Llm {
    client: Client<OpenAIConfig>,
    settings: OpenAiSettings,
}

pub struct Coach {
    llm: Option<Llm>,
    limiter: KeyedLimiter<i64>,
    in_flight: std::sync::Arc<Semaphore>,
}

impl Coach {
    pub fn new(settings: &OpenAiSettings) -> Coach {
        let llm = (!settings.api_key.is_empty()).then(|| Llm {
            client: Client::with_config(
                OpenAIConfig::new().with_api_key(settings.api_key.clone()).with_api_base(settings.base_url.clone()),
            ),
            settings: settings.clone(),
        });
        Coach {
            llm,
            limiter: KeyedLimiter::per_minute(settings.requests_per_minute),
            in_flight: std::sync::Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
        }
    }

    /// The client, once the user's limit and the in-flight bound allow a request.
    fn admit(&self, owner: UserId) -> Result<(Llm, tokio::sync::OwnedSemaphorePermit), CoachError> {
        let llm = self.llm.clone().ok_or(CoachError::Off)?;
        self.limiter.check(owner.0).map_err(|retry_after_s| CoachError::RateLimited { retry_after_s })?;
        let permit = self.in_flight.clone().try_acquire_owned().map_err(|_| CoachError::Busy)?;
        Ok((llm, permit))
    }
}

impl Actor for Coach {
    type Context = Context<Self>;
}

/// Whether AI coaching is configured (the web app says so when it is not).
#[derive(Message)]
#[rtype(result = "bool")]
pub struct AiEnabled;

impl Handler<AiEnabled> for Coach {
    type Result = bool;
    fn handle(&mut self, _: AiEnabled, _: &mut Context<Self>) -> bool {
        self.llm.is_some()
    }
}

/// Suggestions for a lap from the model, given the built-in analysis as context.
#[derive(Message)]
#[rtype(result = "Result<Vec<AiSuggestion>, CoachError>")]
pub struct Suggest {
    pub owner: UserId,
    pub context: serde_json::Value,
}

impl Handler<Suggest> for Coach {
    type Result = ResponseFuture<Result<Vec<AiSuggestion>, CoachError>>;

    fn handle(&mut self, message: Suggest, _: &mut Context<Self>) -> Self::Result {
        let admitted = self.admit(message.owner);
        Box::pin(async move {
            let (llm, _permit) = admitted?;
            llm.suggest(&message.context).await
        })
    }
}

/// A chat reply about a lap, streamed: the receiver yields the reply's pieces as
/// the model writes them, then ends (or yields one error).
#[derive(Message)]
#[rtype(result = "Result<mpsc::Receiver<Result<String, CoachError>>, CoachError>")]
pub struct Chat {
    pub owner: UserId,
    pub context: serde_json::Value,
    pub history: Vec<ChatTurn>,
    pub message: String,
}

impl Handler<Chat> for Coach {
    type Result = ResponseFuture<Result<mpsc::Receiver<Result<String, CoachError>>, CoachError>>;

    fn handle(&mut self, message: Chat, _: &mut Context<Self>) -> Self::Result {
        let admitted = self.admit(message.owner);
        Box::pin(async move {
            let (llm, permit) = admitted?;
            llm.chat(message, permit).await
        })
    }
}

fn text_message(role: &str, content: String) -> Result<ChatCompletionRequestMessage, OpenAIError> {
    Ok(match role {
        "system" => ChatCompletionRequestSystemMessageArgs::default().content(content).build()?.into(),
        "assistant" => ChatCompletionRequestAssistantMessageArgs::default().content(content).build()?.into(),
        _ => ChatCompletionRequestUserMessageArgs::default().content(content).build()?.into(),
    })
}

fn upstream(error: OpenAIError) -> CoachError {
    // The message names the status and the service's own words, never the key.
    CoachError::Upstream(match &error {
        OpenAIError::ApiError(response) => format!("{}", response.status_code),
        OpenAIError::Reqwest(error) if error.is_connect() => "cannot connect".into(),
        other => other.to_string().chars().take(200).collect(),
    })
}

impl Llm {
    fn timeout(&self) -> Duration {
        Duration::from_secs(self.settings.timeout_s)
    }

    /// Runs `call` within the timeout. Retries are async-openai's own: its client
    /// retries 429 and 5xx answers and failed connections three times with
    /// exponential backoff, honouring `Retry-After`; the timeout bounds them all.
    async fn with_deadline<T, F, Fut>(&self, call: F) -> Result<T, CoachError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, OpenAIError>>,
    {
        match tokio::time::timeout(self.timeout(), call()).await {
            Err(_) => Err(CoachError::Timeout(self.settings.timeout_s)),
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => {
                tracing::warn!(error = %upstream_status(&error), "AI request failed");
                Err(upstream(error))
            }
        }
    }

    fn request(
        &self,
        messages: Vec<ChatCompletionRequestMessage>,
        schema: bool,
    ) -> Result<CreateChatCompletionRequest, CoachError> {
        let mut request = CreateChatCompletionRequestArgs::default();
        request.model(self.settings.model.clone()).messages(messages).max_completion_tokens(self.settings.max_tokens);
        if schema {
            request.response_format(ResponseFormat::JsonSchema {
                json_schema: ResponseFormatJsonSchema {
                    name: "lap_suggestions".into(),
                    description: Some("Coaching suggestions for one lap, biggest time first".into()),
                    schema: suggestions_schema(),
                    strict: Some(true),
                },
            });
        }
        request.build().map_err(|error| CoachError::Upstream(format!("cannot build the request: {error}")))
    }

    async fn suggest(&self, context: &serde_json::Value) -> Result<Vec<AiSuggestion>, CoachError> {
        let build = |role: &str, content: String| text_message(role, content).map_err(upstream);
        let messages = vec![
            build("system", suggestion_system_prompt().to_string())?,
            build("user", format!("Lap analysis (JSON):\n{context}"))?,
        ];
        let request = self.request(messages, true)?;
        let mut last_error = String::new();
        // Invalid output is retried once, then reported.
        for _ in 0..2 {
            let response = self
                .with_deadline(|| {
                    let request = request.clone();
                    async move { self.client.chat().create(request).await }
                })
                .await?;
            let text = response.choices.first().and_then(|choice| choice.message.content.clone()).unwrap_or_default();
            match parse_suggestions(&text) {
                Ok(suggestions) => return Ok(suggestions),
                Err(error) => {
                    tracing::warn!(%error, "the AI model's suggestions were not valid");
                    last_error = error.0;
                }
            }
        }
        Err(CoachError::BadOutput(last_error))
    }

    async fn chat(
        &self,
        chat: Chat,
        permit: tokio::sync::OwnedSemaphorePermit,
    ) -> Result<mpsc::Receiver<Result<String, CoachError>>, CoachError> {
        let build = |role: &str, content: String| text_message(role, content).map_err(upstream);
        let mut messages = vec![build(
            "system",
            format!("{}\n\nLap analysis and suggestions (JSON):\n{}", chat_system_prompt(), chat.context),
        )?];
        let skip = chat.history.len().saturating_sub(MAX_HISTORY_MESSAGES);
        for turn in chat.history.into_iter().skip(skip) {
            messages.push(build(&turn.role, turn.content)?);
        }
        messages.push(build("user", chat.message)?);
        let request = self.request(messages, false)?;
        let mut stream = self
            .with_deadline(|| {
                let request = request.clone();
                async move { self.client.chat().create_stream(request).await }
            })
            .await?;
        let (sender, receiver) = mpsc::channel(CHAT_CHUNKS);
        let deadline = tokio::time::Instant::now() + self.timeout();
        let timeout_s = self.settings.timeout_s;
        actix_rt::spawn(async move {
            let _permit = permit;
            loop {
                let item = match tokio::time::timeout_at(deadline, stream.next()).await {
                    Err(_) => Err(CoachError::Timeout(timeout_s)),
                    Ok(None) => break,
                    Ok(Some(Ok(chunk))) => match chunk.choices.into_iter().find_map(|choice| choice.delta.content) {
                        Some(text) if !text.is_empty() => Ok(text),
                        _ => continue,
                    },
                    Ok(Some(Err(error))) => Err(upstream(error)),
                };
                let failed = item.is_err();
                if sender.send(item).await.is_err() || failed {
                    break;
                }
            }
        });
        Ok(receiver)
    }
}

/// The status of a failed request, for logs (never the key, never the prompt).
fn upstream_status(error: &OpenAIError) -> String {
    match error {
        OpenAIError::ApiError(response) => response.status_code.to_string(),
        OpenAIError::Reqwest(error) if error.is_connect() => "cannot connect".into(),
        OpenAIError::Reqwest(error) if error.is_timeout() => "timed out".into(),
        other => other.to_string().chars().take(120).collect(),
    }
}
