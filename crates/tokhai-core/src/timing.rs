//! Filing timelines and their metrics: login → submission, active time, steps, fields, corrections.
//!
//! A timeline holds field ids and issue codes only, never a value the citizen typed.
//! Timestamps are milliseconds since the Unix epoch, supplied by the shell.

use crate::form::Form;
use crate::office_hours::OfficeHours;
use crate::{messages, path};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};

/// The national target from 2026: login to submission within 5 minutes.
pub const TARGET_MS: f64 = 5.0 * 60_000.0;

/// Gaps longer than this between events count as idle, not active, time.
pub const IDLE_THRESHOLD_MS: f64 = 60_000.0;

/// How far a time may lie outside the server's bounds before it counts as moved: the way of an answer
/// through the network, and a browser clock set by a `Date` header (whole seconds).
pub const CLOCK_SLACK_MS: f64 = 2_000.0;

/// The offset a browser times a filing by, for a back end's clock read `offset` ms ahead of its own:
/// none within [`CLOCK_SLACK_MS`], which a `Date` header's whole seconds alone can make up.
pub fn clock_offset(offset: f64) -> f64 {
    if offset.abs() > CLOCK_SLACK_MS {
        offset
    } else {
        0.0
    }
}

/// Most events a timeline may hold.
pub const MAX_EVENTS: usize = 20_000;

/// Most fields a timeline may count (the denominator of prefill coverage).
pub const MAX_FIELDS: usize = 10_000;

/// Something that happened during a filing. An event about one field names it in `field`; the others
/// make the filing's own course, which is what a timeline too big for a beacon keeps (js/timing.js).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The form was mounted and ready.
    Start,
    /// A field got focus.
    Focus {
        /// The field's value path.
        field: String,
    },
    /// A field lost focus.
    Blur {
        /// The field's value path.
        field: String,
    },
    /// A field's value changed.
    Change {
        /// The field's value path.
        field: String,
    },
    /// An issue was shown on a field.
    ErrorShown {
        /// The field's value path.
        field: String,
        /// The issue's code.
        code: String,
    },
    /// A field's issues were cleared.
    ErrorCleared {
        /// The field's value path.
        field: String,
    },
    /// A wizard step was entered (`review` for the review page).
    Step {
        /// The step's id.
        step: String,
    },
    /// The citizen pressed submit.
    Submit,
    /// The widget retried sending the submission.
    Retry,
    /// The server answered with a receipt.
    Receipt,
    /// The page was hidden (tab switched or closed).
    Hidden,
    /// The page was shown again after it was hidden (the citizen came back to the tab).
    Shown,
}

/// One event and when it happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    /// Milliseconds since the Unix epoch.
    pub at: f64,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// An event as written (`{"at": 1, "type": "focus", "field": "x"}`): read by hand, as serde's derived
/// reading of a flattened tagged enum costs the browser's bundle 11 KiB gzip.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventText {
    at: f64,
    #[serde(rename = "type")]
    kind: String,
    field: Option<String>,
    code: Option<String>,
    step: Option<String>,
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use EventKind as K;
        let EventText {
            at,
            kind,
            field,
            code,
            step,
        } = EventText::deserialize(d)?;
        let kind = match (kind.as_str(), field, code, step) {
            ("start", None, None, None) => K::Start,
            ("focus", Some(field), None, None) => K::Focus { field },
            ("blur", Some(field), None, None) => K::Blur { field },
            ("change", Some(field), None, None) => K::Change { field },
            ("error_shown", Some(field), Some(code), None) => K::ErrorShown { field, code },
            ("error_cleared", Some(field), None, None) => K::ErrorCleared { field },
            ("step", None, None, Some(step)) => K::Step { step },
            ("submit", None, None, None) => K::Submit,
            ("retry", None, None, None) => K::Retry,
            ("receipt", None, None, None) => K::Receipt,
            ("hidden", None, None, None) => K::Hidden,
            ("shown", None, None, None) => K::Shown,
            _ => {
                return Err(serde::de::Error::custom(format_args!(
                    "no event has type '{kind}' with these members"
                )))
            }
        };
        Ok(Event { at, kind })
    }
}

/// Everything recorded about one filing's timing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timeline {
    /// When the citizen logged in to the portal, if the portal said.
    #[serde(default)]
    pub login_at: Option<f64>,
    /// Number of fields the citizen could see (the denominator of prefill coverage).
    #[serde(default)]
    pub fields_total: usize,
    /// Number of fields filled from national data.
    #[serde(default)]
    pub fields_prefilled: usize,
    /// Events in the order they happened.
    pub events: Vec<Event>,
}

/// Time spent on one step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepTime {
    /// Step id.
    pub step: String,
    /// Milliseconds spent on it, over all visits.
    pub ms: f64,
}

/// What happened on one field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldStats {
    /// Field id (or path).
    pub field: String,
    /// Milliseconds with focus.
    pub dwell_ms: f64,
    /// Value changes.
    pub changes: usize,
    /// Changes after the first (the citizen went back to fix something).
    pub corrections: usize,
    /// Issues shown.
    pub errors: usize,
}

/// How a filing ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// A receipt was received.
    Submitted,
    /// Submit was pressed but no receipt is recorded.
    Attempted,
    /// The citizen left; where they were last.
    Abandoned {
        /// The last step entered.
        step: Option<String>,
        /// The last field focused or changed.
        field: Option<String>,
    },
}

/// The metrics of one filing, computed identically in the browser, the server and the QA runner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Whether the clock started at the portal's login (else at mount).
    pub from_login: bool,
    /// Milliseconds from login (or mount) to the receipt (the dossier received: a filing sent late, once
    /// back online, is timed to then), or to the last submit press of a filing not received, if any.
    pub to_submit_ms: Option<f64>,
    /// Milliseconds of activity, idle gaps excluded.
    pub active_ms: f64,
    /// Time per step, in order of first visit.
    pub steps: Vec<StepTime>,
    /// Per-field statistics, by field.
    pub fields: Vec<FieldStats>,
    /// Total corrections.
    pub corrections: usize,
    /// Total issues shown.
    pub errors_shown: usize,
    /// Submission retries.
    pub retries: usize,
    /// Share of fields prefilled, 0 to 1.
    pub prefill_coverage: f64,
    /// How the filing ended.
    pub outcome: Outcome,
    /// Whether login (or mount) to submit was within the target, when submitted.
    pub within_target: Option<bool>,
}

/// Why a timeline was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TimelineError {
    /// Too many events.
    #[error("a timeline holds at most {MAX_EVENTS} events")]
    TooLong,
    /// A timestamp is not a finite number.
    #[error("event {0} has a timestamp that is not a finite number")]
    BadTime(usize),
    /// Prefilled fields exceed the total, or the total exceeds [`MAX_FIELDS`].
    #[error("more prefilled fields than fields, or more than {MAX_FIELDS} fields")]
    BadCoverage,
    /// An event names a field the form does not have.
    #[error("event {0} names a field the form does not have")]
    UnknownField(usize),
    /// An event names a step the form does not have.
    #[error("event {0} names a step the form does not have")]
    UnknownStep(usize),
    /// An event names an issue code the form cannot show.
    #[error("event {0} names an issue code the form cannot show")]
    UnknownCode(usize),
}

impl Timeline {
    /// Adds an event. Past [`MAX_EVENTS`] the oldest after the first go, a tenth at a time: the first
    /// (where the filing's clock starts) and the latest (the submission and receipt are among them) are
    /// kept, and so is the last step that went, so that the time on that step still counts.
    pub fn push(&mut self, event: Event) {
        if self.events.len() >= MAX_EVENTS {
            let gone: Vec<Event> = self.events.drain(1..=MAX_EVENTS / 10).collect();
            if let Some(step) = gone.into_iter().rfind(|e| matches!(e.kind, EventKind::Step { .. })) {
                self.events.insert(1, step);
            }
        }
        self.events.push(event);
    }

    /// Checks the timeline's shape: bounded size, finite times, coherent counts.
    pub fn check(&self) -> Result<(), TimelineError> {
        if self.events.len() > MAX_EVENTS {
            return Err(TimelineError::TooLong);
        }
        if let Some(i) = self.events.iter().position(|e| !e.at.is_finite()) {
            return Err(TimelineError::BadTime(i));
        }
        if self.login_at.is_some_and(|t| !t.is_finite()) {
            return Err(TimelineError::BadTime(0));
        }
        if self.fields_prefilled > self.fields_total || self.fields_total > MAX_FIELDS {
            return Err(TimelineError::BadCoverage);
        }
        Ok(())
    }

    /// Checks that every field, step and issue code named is one of the form's, so no other text rides along.
    pub fn check_names(&self, form: &Form) -> Result<(), TimelineError> {
        let known_step = |s: &str| s == "review" || form.def().steps.iter().any(|d| d.id == s);
        let known_field = |f: &str| path::parse(form, f).is_ok();
        for (i, e) in self.events.iter().enumerate() {
            let unknown = match &e.kind {
                EventKind::Focus { field }
                | EventKind::Blur { field }
                | EventKind::Change { field }
                | EventKind::ErrorCleared { field } => (!known_field(field)).then_some(TimelineError::UnknownField(i)),
                EventKind::ErrorShown { field, code } => {
                    if !known_field(field) {
                        Some(TimelineError::UnknownField(i))
                    } else if !(messages::knows(code) || form.custom_message(code).is_some()) {
                        Some(TimelineError::UnknownCode(i))
                    } else {
                        None
                    }
                }
                EventKind::Step { step } => (!known_step(step)).then_some(TimelineError::UnknownStep(i)),
                _ => None,
            };
            if let Some(e) = unknown {
                return Err(e);
            }
        }
        Ok(())
    }

    /// Moves every time into `[earliest, latest]` (the server's own login and receipt times),
    /// so a forged timeline cannot claim an impossible duration; returns how many were moved by more
    /// than [`CLOCK_SLACK_MS`] (the receipt is timed when its answer arrives, a moment after the server's).
    pub fn clamp(&mut self, earliest: f64, latest: f64) -> usize {
        let mut moved = 0;
        let mut clamp = |t: &mut f64| {
            let c = t.clamp(earliest, latest.max(earliest));
            if (c - *t).abs() > CLOCK_SLACK_MS {
                moved += 1;
            }
            *t = c;
        };
        if let Some(login) = self.login_at.as_mut() {
            clamp(login);
        }
        for e in &mut self.events {
            clamp(&mut e.at);
        }
        sort_by_time(&mut self.events);
        moved
    }

    /// Moves every event `ms` later (the login, the server's, stays): the events were timed by a clock
    /// that far behind.
    pub fn shift(&mut self, ms: f64) {
        for e in &mut self.events {
            e.at += ms;
        }
    }

    /// Records the receipt as the back end's own clock has it, `at`: the one receipt of the filing,
    /// whatever the timeline said of it.
    pub fn received(&mut self, at: f64) {
        self.events.retain(|e| e.kind != EventKind::Receipt);
        self.events.push(Event {
            at,
            kind: EventKind::Receipt,
        });
        sort_by_time(&mut self.events);
    }

    /// Whether the back end's receipt is recorded.
    pub fn has_receipt(&self) -> bool {
        self.events.iter().any(|e| e.kind == EventKind::Receipt)
    }

    /// Whether the citizen did anything (focused or changed a field, or submitted): a page opened and
    /// left untouched is no filing, and not an abandoned one.
    pub fn has_activity(&self) -> bool {
        self.events.iter().any(|e| {
            matches!(
                e.kind,
                EventKind::Focus { .. } | EventKind::Change { .. } | EventKind::Submit
            )
        })
    }

    /// The metrics of this timeline.
    pub fn metrics(&self, idle_threshold_ms: f64, target_ms: f64) -> Metrics {
        let mut events: Vec<&Event> = self.events.iter().collect();
        sort_by_time(&mut events);
        let mount = events.first().map(|e| e.at);
        let start = self.login_at.or(mount);
        let last_submit = events.iter().rev().find(|e| e.kind == EventKind::Submit).map(|e| e.at);
        let receipt = events.iter().find(|e| e.kind == EventKind::Receipt).map(|e| e.at);
        let to_submit_ms = start.zip(receipt.or(last_submit)).map(|(s, t)| (t - s).max(0.0));

        // Neither a long pause nor the time the page was hidden is active.
        let active_ms = events
            .windows(2)
            .filter(|w| w[0].kind != EventKind::Hidden)
            .map(|w| w[1].at - w[0].at)
            .filter(|&gap| gap <= idle_threshold_ms)
            .sum();

        let mut steps: Vec<StepTime> = Vec::new();
        let mut fields: Vec<FieldStats> = Vec::new();
        let mut current_step: Option<(&str, f64)> = None;
        // The step the page was hidden on: its time runs again once the page is shown.
        let mut paused_step: Option<&str> = None;
        let mut focused: Option<(&str, f64)> = None;
        let (mut retries, mut last_step, mut last_field) = (0, None, None);
        for e in &events {
            match &e.kind {
                EventKind::Step { step } => {
                    close_step(&mut steps, current_step, e.at);
                    current_step = Some((step, e.at));
                    paused_step = None;
                    last_step = Some(step.as_str());
                }
                EventKind::Focus { field } => {
                    focused = Some((field, e.at));
                    last_field = Some(field.as_str());
                }
                EventKind::Blur { field } => {
                    if let Some((f, since)) = focused.take().filter(|(f, _)| f == field) {
                        stats(&mut fields, f).dwell_ms += e.at - since;
                    }
                }
                EventKind::Change { field } => {
                    let s = stats(&mut fields, field);
                    s.changes += 1;
                    s.corrections = s.changes - 1;
                    last_field = Some(field.as_str());
                }
                EventKind::ErrorShown { field, .. } => stats(&mut fields, field).errors += 1,
                EventKind::Retry => retries += 1,
                EventKind::Hidden => {
                    close_step(&mut steps, current_step, e.at);
                    paused_step = current_step.take().map(|(step, _)| step).or(paused_step);
                }
                EventKind::Shown => current_step = paused_step.take().map(|step| (step, e.at)).or(current_step),
                EventKind::Submit | EventKind::Receipt => {
                    close_step(&mut steps, current_step.take(), e.at);
                    paused_step = None;
                }
                EventKind::Start | EventKind::ErrorCleared { .. } => {}
            }
        }
        let submitted = self.has_receipt();
        let outcome = if submitted {
            Outcome::Submitted
        } else if last_submit.is_some() {
            Outcome::Attempted
        } else {
            Outcome::Abandoned {
                step: last_step.map(str::to_owned),
                field: last_field.map(str::to_owned),
            }
        };
        Metrics {
            from_login: self.login_at.is_some(),
            to_submit_ms,
            active_ms,
            steps,
            corrections: fields.iter().map(|f| f.corrections).sum(),
            errors_shown: fields.iter().map(|f| f.errors).sum(),
            fields,
            retries,
            prefill_coverage: if self.fields_total == 0 {
                0.0
            } else {
                self.fields_prefilled as f64 / self.fields_total as f64
            },
            within_target: to_submit_ms.filter(|_| submitted).map(|ms| ms <= target_ms),
            outcome,
        }
    }
}

/// The statistics of `field` in `fields` (kept sorted by field), added if new.
fn stats<'m>(fields: &'m mut Vec<FieldStats>, field: &str) -> &'m mut FieldStats {
    let i = match fields.binary_search_by(|s| s.field.as_str().cmp(field)) {
        Ok(i) => i,
        Err(i) => {
            let new = FieldStats {
                field: field.to_owned(),
                ..FieldStats::default()
            };
            fields.insert(i, new);
            i
        }
    };
    &mut fields[i]
}

fn close_step(steps: &mut Vec<StepTime>, open: Option<(&str, f64)>, at: f64) {
    let Some((step, since)) = open else { return };
    let ms = (at - since).max(0.0);
    match steps.iter_mut().find(|s| s.step == step) {
        Some(s) => s.ms += ms,
        None => steps.push(StepTime {
            step: step.to_owned(),
            ms,
        }),
    }
}

/// Figures over many filings of one form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    /// Filings started.
    pub filings: usize,
    /// Filings submitted.
    pub submitted: usize,
    /// Filings whose Submit was pressed but no receipt is recorded (neither submitted nor abandoned).
    pub attempted: usize,
    /// Mean login (or mount) → submit of submitted filings, ms: the national target is an average.
    pub mean_ms: Option<f64>,
    /// Median of the same, ms.
    pub median_ms: Option<f64>,
    /// 90th percentile of the same, ms.
    pub p90_ms: Option<f64>,
    /// Share of submitted filings within the target, 0 to 1.
    pub share_within_target: Option<f64>,
    /// Share of started filings abandoned, 0 to 1.
    pub abandonment_rate: f64,
    /// Mean share of the fields filled from national data, over the submitted filings.
    pub prefill_share: Option<f64>,
    /// Where abandoned filings were left, with how many were left there, most first.
    pub abandoned_at: Vec<(Place, usize)>,
}

/// Where a filing was left: its step and the field last in focus, where known.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Place {
    /// The step on screen.
    pub step: Option<String>,
    /// The field last in focus.
    pub field: Option<String>,
}

/// Aggregates the metrics of many filings.
pub fn aggregate(filings: &[Metrics]) -> Aggregate {
    let durations = filing_times(filings);
    let within = filings.iter().filter(|m| m.within_target == Some(true)).count();
    let mut places: BTreeMap<Place, usize> = BTreeMap::new();
    for m in filings {
        if let Outcome::Abandoned { step, field } = &m.outcome {
            let place = Place {
                step: step.clone(),
                field: field.clone(),
            };
            *places.entry(place).or_default() += 1;
        }
    }
    let abandoned: usize = places.values().sum();
    let coverage: Vec<f64> = filings
        .iter()
        .filter(|m| m.outcome == Outcome::Submitted)
        .map(|m| m.prefill_coverage)
        .collect();
    let mut abandoned_at: Vec<(Place, usize)> = places.into_iter().collect();
    abandoned_at.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Aggregate {
        filings: filings.len(),
        submitted: durations.len(),
        attempted: filings.iter().filter(|m| m.outcome == Outcome::Attempted).count(),
        mean_ms: (!durations.is_empty()).then(|| durations.iter().sum::<f64>() / durations.len() as f64),
        median_ms: percentile(&durations, 0.5),
        p90_ms: percentile(&durations, 0.9),
        share_within_target: (!durations.is_empty()).then(|| within as f64 / durations.len() as f64),
        abandonment_rate: if filings.is_empty() {
            0.0
        } else {
            abandoned as f64 / filings.len() as f64
        },
        abandoned_at,
        prefill_share: (!coverage.is_empty()).then(|| coverage.iter().sum::<f64>() / coverage.len() as f64),
    }
}

/// Login (or mount) → submit times of the submitted filings, in ms, sorted.
pub fn filing_times(filings: &[Metrics]) -> Vec<f64> {
    let mut durations: Vec<f64> = filings
        .iter()
        .filter(|m| m.outcome == Outcome::Submitted)
        .filter_map(|m| m.to_submit_ms)
        .collect();
    durations.sort_unstable_by(f64::total_cmp);
    durations
}

/// One bar of a histogram of filing times.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    /// Lower bound, ms (included).
    pub from_ms: f64,
    /// Upper bound, ms (excluded); `None` for the last bar, which holds everything longer.
    pub to_ms: Option<f64>,
    /// Filings in the bar.
    pub count: usize,
}

/// Counts durations in `bars` bars of `width_ms` from 0, the last bar open-ended (at least one bar).
pub fn histogram(durations: &[f64], width_ms: f64, bars: usize) -> Vec<Bucket> {
    let bars = bars.max(1);
    let width = if width_ms.is_finite() && width_ms > 0.0 {
        width_ms
    } else {
        60_000.0
    };
    let mut counts = vec![0; bars];
    for &d in durations {
        let bar = (d.max(0.0) / width).floor();
        let index = if bar.is_finite() {
            (bar as usize).min(bars - 1)
        } else {
            bars - 1
        };
        counts[index] += 1;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, count)| Bucket {
            from_ms: i as f64 * width,
            to_ms: (i + 1 < bars).then(|| (i + 1) as f64 * width),
            count,
        })
        .collect()
}

/// Time on one step over many filings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepSummary {
    /// Step id (`review` for the review page).
    pub step: String,
    /// Filings that entered the step.
    pub filings: usize,
    /// Median time on the step, ms.
    pub median_ms: f64,
    /// 90th percentile of the same, ms.
    pub p90_ms: f64,
}

/// Time per step over many filings, the slowest median first.
pub fn step_times(filings: &[Metrics]) -> Vec<StepSummary> {
    let mut by_step: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for m in filings {
        for s in &m.steps {
            by_step.entry(&s.step).or_default().push(s.ms);
        }
    }
    let mut out: Vec<StepSummary> = by_step
        .into_iter()
        .map(|(step, mut times)| {
            times.sort_unstable_by(f64::total_cmp);
            StepSummary {
                step: step.to_owned(),
                filings: times.len(),
                median_ms: percentile(&times, 0.5).unwrap_or_default(),
                p90_ms: percentile(&times, 0.9).unwrap_or_default(),
            }
        })
        .collect();
    out.sort_unstable_by(|a, b| b.median_ms.total_cmp(&a.median_ms).then_with(|| a.step.cmp(&b.step)));
    out
}

/// What happened on one field over many filings (rows of a group counted as one field).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldSummary {
    /// Field id.
    pub field: String,
    /// Filings that touched the field.
    pub filings: usize,
    /// Median time with focus per filing, ms.
    pub median_dwell_ms: f64,
    /// Corrections over all filings.
    pub corrections: usize,
    /// Issues shown over all filings.
    pub errors: usize,
}

/// Per-field figures over many filings, the slowest median dwell first.
pub fn field_times(filings: &[Metrics]) -> Vec<FieldSummary> {
    let mut by_field: BTreeMap<&str, (Vec<f64>, usize, usize)> = BTreeMap::new();
    for m in filings {
        let mut per_filing: BTreeMap<&str, f64> = BTreeMap::new();
        for f in &m.fields {
            let id = path::field_id(&f.field);
            *per_filing.entry(id).or_default() += f.dwell_ms;
            let entry = by_field.entry(id).or_default();
            entry.1 += f.corrections;
            entry.2 += f.errors;
        }
        for (id, dwell) in per_filing {
            by_field.entry(id).or_default().0.push(dwell);
        }
    }
    let mut out: Vec<FieldSummary> = by_field
        .into_iter()
        .map(|(field, (mut dwell, corrections, errors))| {
            dwell.sort_unstable_by(f64::total_cmp);
            FieldSummary {
                field: field.to_owned(),
                filings: dwell.len(),
                median_dwell_ms: percentile(&dwell, 0.5).unwrap_or_default(),
                corrections,
                errors,
            }
        })
        .collect();
    out.sort_unstable_by(|a, b| {
        b.median_dwell_ms
            .total_cmp(&a.median_dwell_ms)
            .then_with(|| a.field.cmp(&b.field))
    });
    out
}

/// An issue code shown on a field, and how often.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HotSpot {
    /// Field id (rows of a group counted as one field).
    pub field: String,
    /// Issue code.
    pub code: String,
    /// Times shown over all filings.
    pub shown: usize,
    /// Filings in which it was shown at least once.
    pub filings: usize,
}

/// Where errors were shown over many filings, the most frequent first.
pub fn error_hot_spots<'t>(timelines: impl IntoIterator<Item = &'t Timeline>) -> Vec<HotSpot> {
    let mut counts: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
    for t in timelines {
        let mut seen = BTreeSet::new();
        for e in &t.events {
            if let EventKind::ErrorShown { field, code } = &e.kind {
                let key = (path::field_id(field), code.as_str());
                let entry = counts.entry(key).or_default();
                entry.0 += 1;
                if seen.insert(key) {
                    entry.1 += 1;
                }
            }
        }
    }
    let mut out: Vec<HotSpot> = counts
        .into_iter()
        .map(|((field, code), (shown, filings))| HotSpot {
            field: field.to_owned(),
            code: code.to_owned(),
            shown,
            filings,
        })
        .collect();
    out.sort_unstable_by(|a, b| {
        b.shown
            .cmp(&a.shown)
            .then_with(|| (&a.field, &a.code).cmp(&(&b.field, &b.code)))
    });
    out
}

/// The national target from 2026: at least 95% of citizens satisfied.
pub const SATISFACTION_TARGET: f64 = 0.95;

/// Satisfaction ratings (1 to 5) over many dossiers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Satisfaction {
    /// Ratings counted.
    pub count: usize,
    /// Mean rating, when there is one.
    pub mean: Option<f64>,
    /// Ratings of 1, 2, 3, 4 and 5.
    pub distribution: [usize; 5],
    /// Share of ratings of 4 or 5 (satisfied), when there is one: what `SATISFACTION_TARGET` is set on.
    pub satisfied_share: Option<f64>,
    /// Whether that share reaches `SATISFACTION_TARGET`.
    pub meets_target: Option<bool>,
}

/// Sums up ratings; values outside 1 to 5 are ignored.
pub fn satisfaction(ratings: &[u8]) -> Satisfaction {
    let mut distribution = [0; 5];
    for &r in ratings.iter().filter(|r| (1..=5).contains(*r)) {
        distribution[usize::from(r) - 1] += 1;
    }
    let count: usize = distribution.iter().sum();
    let total: usize = distribution.iter().enumerate().map(|(i, n)| (i + 1) * n).sum();
    let satisfied_share = (count > 0).then(|| (distribution[3] + distribution[4]) as f64 / count as f64);
    Satisfaction {
        count,
        mean: (count > 0).then(|| total as f64 / count as f64),
        distribution,
        satisfied_share,
        meets_target: satisfied_share.map(|s| s >= SATISFACTION_TARGET),
    }
}

/// The national target for officials: processing online at least 30% faster than in person.
pub const PROCESSING_REDUCTION_TARGET: f64 = 0.3;

/// An official's decision on a dossier: how long after its receipt, and whether it accepted it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decided {
    /// Receipt → decision, ms (of the agency's working time: `office_hours::OfficeHours::working_ms`).
    pub after_ms: f64,
    /// Accepted (else refused, with its reasons).
    pub accepted: bool,
}

/// A dossier as officials handled it: their decision, if made, and how it stands to its time limit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Handled {
    /// The decision, none while it waits.
    pub decided: Option<Decided>,
    /// None when its form sets no time limit.
    pub timeliness: Option<Timeliness>,
}

/// How far officials have got with a dossier: the working time from its receipt to their decision, or so
/// far while it waits, and how it stands to its due time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Working time, ms, in the agency's office hours.
    pub working_ms: i64,
    /// None when its form sets no time limit.
    pub timeliness: Option<Timeliness>,
}

impl Progress {
    /// The progress at `now` of a dossier received at `received_at` and due at `due_at` (ms; none without
    /// a time limit), decided at `decided_at` (none while it waits).
    pub fn of(
        office: &OfficeHours,
        (received_at, due_at): (i64, Option<i64>),
        decided_at: Option<i64>,
        now: i64,
    ) -> Progress {
        Progress {
            working_ms: office.working_ms(received_at, decided_at.unwrap_or(now)),
            timeliness: Timeliness::of(due_at, decided_at, now),
        }
    }
}

/// How a dossier stands to the time limit of its form (`time_limit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timeliness {
    /// Decided by its due time.
    OnTime,
    /// Decided after its due time.
    Late,
    /// Waiting past its due time.
    Overdue,
    /// Waiting, not due yet.
    Running,
}

impl Timeliness {
    /// How a dossier due at `due_at` (ms; none without a time limit) and decided at `decided_at` (none
    /// while it waits) stands at `now`.
    pub fn of(due_at: Option<i64>, decided_at: Option<i64>, now: i64) -> Option<Timeliness> {
        let due = due_at?;
        Some(match decided_at {
            Some(at) if at <= due => Timeliness::OnTime,
            Some(_) => Timeliness::Late,
            None if now > due => Timeliness::Overdue,
            None => Timeliness::Running,
        })
    }

    /// Its name in JSON and CSV: `on_time`, `late`, `overdue`, `running`.
    pub fn as_str(self) -> &'static str {
        match self {
            Timeliness::OnTime => "on_time",
            Timeliness::Late => "late",
            Timeliness::Overdue => "overdue",
            Timeliness::Running => "running",
        }
    }
}

/// Written as its name (`Timeliness::as_str`), in JSON as in CSV.
impl Serialize for Timeliness {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// How officials handled the dossiers received in a period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Processing {
    /// Dossiers received.
    pub received: usize,
    /// Of those, accepted.
    pub accepted: usize,
    /// Of those, refused.
    pub refused: usize,
    /// Of those, not decided yet.
    pub pending: usize,
    /// Mean receipt → decision of the decided ones, ms: the national target compares averages.
    pub mean_ms: Option<f64>,
    /// Median of the same, ms.
    pub median_ms: Option<f64>,
    /// 90th percentile of the same, ms.
    pub p90_ms: Option<f64>,
    /// How much shorter the mean is than the in-person time given (0.3: 30% shorter; below 0: longer).
    pub reduction: Option<f64>,
    /// Whether that reduction reaches `PROCESSING_REDUCTION_TARGET`.
    pub meets_target: Option<bool>,
    /// Decided by their due time (of dossiers whose form sets a time limit).
    pub on_time: usize,
    /// Decided after it.
    pub late: usize,
    /// Waiting past it.
    pub overdue: usize,
    /// The share of decisions made by their due time (of those with one), as the national index of
    /// service quality counts dossiers decided on time.
    pub on_time_share: Option<f64>,
}

/// Sums up how officials handled the dossiers received, against the time in person (ms) where one is given.
pub fn processing(dossiers: &[Handled], in_person_ms: Option<f64>) -> Processing {
    let decisions: Vec<Decided> = dossiers.iter().filter_map(|d| d.decided).collect();
    let count = |t: Timeliness| dossiers.iter().filter(|d| d.timeliness == Some(t)).count();
    let (on_time, late) = (count(Timeliness::OnTime), count(Timeliness::Late));
    let mut times: Vec<f64> = decisions.iter().map(|d| d.after_ms.max(0.0)).collect();
    times.sort_unstable_by(f64::total_cmp);
    let accepted = decisions.iter().filter(|d| d.accepted).count();
    let mean_ms = (!times.is_empty()).then(|| times.iter().sum::<f64>() / times.len() as f64);
    let reduction = mean_ms
        .zip(in_person_ms.filter(|t| *t > 0.0))
        .map(|(mean, in_person)| 1.0 - mean / in_person);
    Processing {
        received: dossiers.len(),
        accepted,
        refused: decisions.len() - accepted,
        pending: dossiers.len() - decisions.len(),
        mean_ms,
        median_ms: percentile(&times, 0.5),
        p90_ms: percentile(&times, 0.9),
        reduction,
        meets_target: reduction.map(|r| r >= PROCESSING_REDUCTION_TARGET),
        on_time,
        late,
        overdue: count(Timeliness::Overdue),
        on_time_share: (on_time + late > 0).then(|| on_time as f64 / (on_time + late) as f64),
    }
}

/// The nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

/// Sorts events by time, keeping the recorded order of simultaneous ones (an insertion sort:
/// timelines arrive nearly sorted, and it keeps the wasm bundle free of a second sort routine).
fn sort_by_time<E: std::borrow::Borrow<Event>>(events: &mut [E]) {
    for i in 1..events.len() {
        let mut j = i;
        while j > 0 && events[j - 1].borrow().at > events[j].borrow().at {
            events.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(at: f64, kind: EventKind) -> Event {
        Event { at, kind }
    }

    fn f(name: &str) -> String {
        name.to_owned()
    }

    #[test]
    fn a_timeline_past_its_bound_keeps_its_start_its_step_and_its_latest_events() {
        let mut t = Timeline::default();
        t.push(ev(0.0, EventKind::Start));
        t.push(ev(0.0, EventKind::Step { step: f("one") }));
        for i in 0..MAX_EVENTS + 5 {
            t.push(ev(10.0 * i as f64, EventKind::Focus { field: f("a") }));
        }
        let end = 10.0 * (MAX_EVENTS + 5) as f64;
        t.push(ev(end, EventKind::Submit));
        assert!(t.events.len() <= MAX_EVENTS && t.check().is_ok());
        assert_eq!(t.events[0], ev(0.0, EventKind::Start), "the clock's start is kept");
        assert_eq!(t.events.last(), Some(&ev(end, EventKind::Submit)), "the newest is kept");
        let m = t.metrics(IDLE_THRESHOLD_MS, TARGET_MS);
        assert_eq!(
            m.to_submit_ms,
            Some(end),
            "timed from the start, not from the oldest event kept"
        );
        assert_eq!(m.steps.iter().map(|s| s.step.as_str()).collect::<Vec<_>>(), ["one"]);
    }

    #[test]
    fn events_read_back_as_written_and_odd_ones_are_refused() {
        use EventKind::*;
        let field = || f("phone");
        let kinds = [
            Start,
            Focus { field: field() },
            Blur { field: field() },
            Change { field: field() },
            ErrorShown {
                field: field(),
                code: f("phone.length"),
            },
            ErrorCleared { field: field() },
            Step { step: f("one") },
            Submit,
            Retry,
            Receipt,
            Hidden,
            Shown,
        ];
        for kind in kinds {
            let event = ev(1.5, kind);
            let text = serde_json::to_string(&event).unwrap();
            assert_eq!(serde_json::from_str::<Event>(&text).unwrap(), event, "{text}");
        }
        for odd in [
            r#"{"at": 1, "type": "focus"}"#,
            r#"{"at": 1, "type": "submit", "field": "phone"}"#,
            r#"{"at": 1, "type": "typed", "field": "phone"}"#,
            r#"{"at": 1, "type": "focus", "field": "phone", "value": "0912"}"#,
            r#"{"type": "submit"}"#,
        ] {
            assert!(serde_json::from_str::<Event>(odd).is_err(), "{odd}");
        }
    }

    fn filing() -> Timeline {
        use EventKind::*;
        Timeline {
            login_at: Some(0.0),
            fields_total: 10,
            fields_prefilled: 8,
            events: vec![
                ev(10_000.0, Start),
                ev(10_000.0, Step { step: f("one") }),
                ev(12_000.0, Focus { field: f("phone") }),
                ev(20_000.0, Change { field: f("phone") }),
                ev(21_000.0, Blur { field: f("phone") }),
                ev(
                    21_000.0,
                    ErrorShown {
                        field: f("phone"),
                        code: f("phone.length"),
                    },
                ),
                ev(25_000.0, Focus { field: f("phone") }),
                ev(30_000.0, Change { field: f("phone") }),
                ev(31_000.0, Blur { field: f("phone") }),
                // An idle gap of 5 minutes: excluded from active time.
                ev(331_000.0, Step { step: f("review") }),
                ev(340_000.0, Submit),
                ev(341_000.0, Retry),
                ev(342_000.0, Receipt),
            ],
        }
    }

    #[test]
    fn metrics_of_a_submitted_filing() {
        let m = filing().metrics(IDLE_THRESHOLD_MS, TARGET_MS);
        assert_eq!(m.to_submit_ms, Some(342_000.0), "to the receipt");
        assert_eq!(m.active_ms, 342_000.0 - 10_000.0 - 300_000.0);
        assert_eq!(
            m.steps,
            vec![
                StepTime {
                    step: f("one"),
                    ms: 321_000.0
                },
                StepTime {
                    step: f("review"),
                    ms: 9_000.0
                }
            ]
        );
        assert_eq!(m.fields[0].dwell_ms, 9_000.0 + 6_000.0);
        assert_eq!((m.corrections, m.errors_shown, m.retries), (1, 1, 1));
        assert_eq!(m.prefill_coverage, 0.8);
        assert_eq!(m.outcome, Outcome::Submitted);
        assert_eq!(m.within_target, Some(false), "342 s is over the 300 s target");
    }

    #[test]
    fn a_filing_not_received_is_timed_to_its_last_submit_and_the_back_end_s_receipt_time_is_the_one_kept() {
        let mut t = filing();
        t.events.retain(|e| e.kind != EventKind::Receipt);
        assert_eq!(t.metrics(IDLE_THRESHOLD_MS, TARGET_MS).to_submit_ms, Some(340_000.0));
        // Sent late (offline), or a receipt claimed early: the back end's time is the receipt's.
        t.received(400_000.0);
        t.received(360_000.0);
        assert_eq!(t.events.iter().filter(|e| e.kind == EventKind::Receipt).count(), 1);
        let m = t.metrics(IDLE_THRESHOLD_MS, TARGET_MS);
        assert_eq!((m.to_submit_ms, m.outcome), (Some(360_000.0), Outcome::Submitted));
    }

    #[test]
    fn fields_are_counted_apart_and_listed_by_name() {
        use EventKind::*;
        let mut t = filing();
        t.events.truncate(2);
        for (i, field) in ["name", "phone", "address", "name", "name"].into_iter().enumerate() {
            t.events.push(ev(13_000.0 + i as f64, Change { field: f(field) }));
        }
        let m = t.metrics(IDLE_THRESHOLD_MS, TARGET_MS);
        let counted: Vec<(&str, usize, usize)> = m
            .fields
            .iter()
            .map(|s| (s.field.as_str(), s.changes, s.corrections))
            .collect();
        assert_eq!(counted, [("address", 1, 0), ("name", 3, 2), ("phone", 1, 0)]);
        assert_eq!(m.corrections, 2);
    }

    #[test]
    fn a_step_left_for_another_tab_counts_again_once_back_and_the_hidden_time_is_not_active() {
        use EventKind::*;
        let t = Timeline {
            login_at: Some(0.0),
            events: vec![
                ev(0.0, Start),
                ev(0.0, Step { step: f("one") }),
                ev(2_000.0, Hidden),
                ev(6_500.0, Shown),
                ev(9_500.0, Change { field: f("phone") }),
                ev(10_000.0, Step { step: f("two") }),
                ev(11_000.0, Submit),
            ],
            ..Timeline::default()
        };
        let m = t.metrics(IDLE_THRESHOLD_MS, TARGET_MS);
        let steps: Vec<(&str, f64)> = m.steps.iter().map(|s| (s.step.as_str(), s.ms)).collect();
        assert_eq!(steps, [("one", 2_000.0 + 3_500.0), ("two", 1_000.0)]);
        assert_eq!(m.active_ms, 11_000.0 - 4_500.0);
        assert_eq!(m.to_submit_ms, Some(11_000.0));
    }

    #[test]
    fn a_page_opened_and_left_untouched_is_no_filing() {
        use EventKind::*;
        let mut t = Timeline {
            events: vec![ev(0.0, Start), ev(0.0, Step { step: f("one") }), ev(2_000.0, Hidden)],
            ..Timeline::default()
        };
        assert!(!t.has_activity());
        t.events.insert(2, ev(1_000.0, Focus { field: f("phone") }));
        assert!(t.has_activity());
        assert!(filing().has_activity());
    }

    #[test]
    fn abandonment_names_where_the_citizen_left() {
        let mut t = filing();
        t.events.truncate(8);
        t.events.push(ev(40_000.0, EventKind::Hidden));
        let m = t.metrics(IDLE_THRESHOLD_MS, TARGET_MS);
        assert_eq!(
            m.outcome,
            Outcome::Abandoned {
                step: Some(f("one")),
                field: Some(f("phone"))
            }
        );
        assert_eq!(m.within_target, None);
        let agg = aggregate(&[m, filing().metrics(IDLE_THRESHOLD_MS, TARGET_MS)]);
        assert_eq!(agg.abandonment_rate, 0.5);
        let place = Place {
            step: Some(f("one")),
            field: Some(f("phone")),
        };
        assert_eq!(agg.abandoned_at, vec![(place, 1)]);
        assert_eq!(agg.median_ms, Some(342_000.0));
    }

    #[test]
    fn the_aggregate_gives_the_mean_the_target_is_set_on_and_counts_filings_never_received() {
        let mut later = filing();
        for e in &mut later.events {
            e.at += 60_000.0;
        }
        let mut unreceived = filing();
        unreceived.events.retain(|e| e.kind != EventKind::Receipt);
        let metrics: Vec<Metrics> = [filing(), later, unreceived]
            .iter()
            .map(|t| t.metrics(IDLE_THRESHOLD_MS, TARGET_MS))
            .collect();
        let agg = aggregate(&metrics);
        assert_eq!((agg.filings, agg.submitted, agg.attempted), (3, 2, 1));
        assert_eq!((agg.mean_ms, agg.median_ms), (Some(372_000.0), Some(342_000.0)));
        assert_eq!(
            agg.prefill_share,
            Some(0.8),
            "8 of 10 fields, in the two filings received"
        );
        assert_eq!(aggregate(&[]).prefill_share, None);
        assert_eq!(
            agg.abandonment_rate, 0.0,
            "a filing sent and never received is not abandoned"
        );
    }

    #[test]
    fn forged_times_are_clamped_to_the_servers_clock() {
        let mut t = filing();
        t.login_at = Some(-1e12);
        t.events[0].at = 9e15;
        // The receipt, timed when its answer came, a moment after the server's receipt: moved, not counted.
        t.events.last_mut().unwrap().at = 342_400.0;
        let moved = t.clamp(0.0, 342_000.0);
        assert_eq!(moved, 2);
        assert!(t.events.iter().all(|e| (0.0..=342_000.0).contains(&e.at)));
        assert_eq!(t.login_at, Some(0.0));
        let mut bad = filing();
        bad.events[3].at = f64::NAN;
        assert_eq!(bad.check(), Err(TimelineError::BadTime(3)));
    }

    #[test]
    fn a_clock_within_the_slack_is_left_alone() {
        assert_eq!(clock_offset(1_999.0), 0.0);
        assert_eq!(clock_offset(-CLOCK_SLACK_MS), 0.0);
        assert_eq!(clock_offset(2_001.0), 2_001.0);
        assert_eq!(clock_offset(-600_000.0), -600_000.0);
        assert_eq!(clock_offset(f64::NAN), 0.0);
    }

    #[test]
    fn processing_times_are_of_decided_dossiers_and_compared_with_the_time_in_person() {
        let hours = |h: f64| h * 3_600_000.0;
        let decided = |h, accepted| Handled {
            decided: Some(Decided {
                after_ms: hours(h),
                accepted,
            }),
            timeliness: None,
        };
        let waiting = Handled {
            decided: None,
            timeliness: None,
        };
        let decisions = [decided(10.0, true), decided(20.0, false), decided(60.0, true)];
        let with_waiting = |n: usize| [&decisions[..], &vec![waiting; n]].concat();
        let p = processing(&with_waiting(2), Some(hours(48.0)));
        assert_eq!((p.received, p.accepted, p.refused, p.pending), (5, 2, 1, 2));
        assert_eq!(
            (p.mean_ms, p.median_ms, p.p90_ms),
            (Some(hours(30.0)), Some(hours(20.0)), Some(hours(60.0)))
        );
        assert_eq!((p.reduction, p.meets_target), (Some(0.375), Some(true)));
        // 30 hours against 40 in person is 25% shorter: short of the target.
        let p = processing(&decisions, Some(hours(40.0)));
        assert_eq!((p.reduction, p.meets_target), (Some(0.25), Some(false)));
        // Slower than in person: a negative reduction.
        assert_eq!(processing(&decisions, Some(hours(20.0))).reduction, Some(-0.5));
        // No time in person, or nothing decided: nothing to compare.
        let p = processing(&decisions, None);
        assert_eq!((p.reduction, p.meets_target), (None, None));
        let p = processing(&with_waiting(2)[3..], Some(hours(48.0)));
        assert_eq!((p.pending, p.mean_ms, p.median_ms, p.reduction), (2, None, None, None));
        // No time limit: no share decided on time.
        assert_eq!((p.on_time, p.late, p.overdue, p.on_time_share), (0, 0, 0, None));
    }

    #[test]
    fn decisions_on_time_are_counted_against_the_due_time() {
        let (due, now) = (Some(1_000), 5_000);
        assert_eq!(
            Timeliness::of(due, Some(1_000), now),
            Some(Timeliness::OnTime),
            "at the due time"
        );
        assert_eq!(Timeliness::of(due, Some(1_001), now), Some(Timeliness::Late));
        assert_eq!(Timeliness::of(due, None, 1_000), Some(Timeliness::Running));
        assert_eq!(Timeliness::of(due, None, 1_001), Some(Timeliness::Overdue));
        assert_eq!(Timeliness::of(None, Some(9_000), now), None, "no time limit");
        let handled = |decided: Option<i64>, due: Option<i64>| Handled {
            decided: decided.map(|_| Decided {
                after_ms: 1.0,
                accepted: true,
            }),
            timeliness: Timeliness::of(due, decided, now),
        };
        let dossiers = [
            handled(Some(900), due),
            handled(Some(1_000), due),
            handled(Some(2_000), due),
            handled(None, due),
            handled(None, Some(6_000)),
            handled(Some(2_000), None),
        ];
        let p = processing(&dossiers, None);
        assert_eq!((p.received, p.pending), (6, 2));
        assert_eq!((p.on_time, p.late, p.overdue), (2, 1, 1));
        assert_eq!(p.on_time_share, Some(2.0 / 3.0));
    }

    #[test]
    fn a_dossier_s_progress_is_its_working_time_to_the_decision_or_so_far() {
        let office = OfficeHours::default();
        let hour = 3_600_000;
        // Monday 2 November 2026, 09:00 in Viet Nam; due at 17:00 the next day.
        let received = crate::Date::new(2026, 11, 2).unwrap().viet_nam_start() + 9 * hour;
        let times = (received, Some(received + 32 * hour));
        let decided = Progress::of(&office, times, Some(received + 2 * hour), received + 100 * hour);
        assert_eq!(
            (decided.working_ms, decided.timeliness),
            (2 * hour, Some(Timeliness::OnTime))
        );
        // Waiting: the working time so far, overdue once past the due time.
        let waiting = Progress::of(&office, times, None, received + 48 * hour);
        assert_eq!(
            (waiting.working_ms, waiting.timeliness),
            (16 * hour, Some(Timeliness::Overdue))
        );
        let no_limit = Progress::of(&office, (received, None), None, received + hour);
        assert_eq!((no_limit.working_ms, no_limit.timeliness), (hour, None));
        assert_eq!(serde_json::to_value(Timeliness::OnTime).unwrap(), "on_time");
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), Some(5.0));
        assert_eq!(percentile(&v, 0.9), Some(9.0));
        assert_eq!(percentile(&[], 0.9), None);
    }

    #[test]
    fn names_must_be_the_forms_own() {
        let form = Form::compile(
            r#"{"tokhai": 1, "id": "t", "version": "1", "title": "T", "steps": [{"id": "one", "title": "One",
                "sections": [{"id": "s", "fields": [
                  {"id": "phone", "kind": "phone", "label": "Phone"},
                  {"id": "home", "kind": "address", "label": "Home"}]}]}]}"#,
        )
        .unwrap();
        assert_eq!(filing().check_names(&form), Ok(()));
        let with = |kind: EventKind| Timeline {
            events: vec![ev(1.0, kind)],
            ..Timeline::default()
        };
        let ok = with(EventKind::Focus {
            field: f("home.commune"),
        });
        assert_eq!(ok.check_names(&form), Ok(()));
        let typed_value = with(EventKind::Change { field: f("0912345678") });
        assert_eq!(typed_value.check_names(&form), Err(TimelineError::UnknownField(0)));
        let step = with(EventKind::Step {
            step: f("Nguyễn Văn An"),
        });
        assert_eq!(step.check_names(&form), Err(TimelineError::UnknownStep(0)));
        let code = with(EventKind::ErrorShown {
            field: f("phone"),
            code: f("secret value"),
        });
        assert_eq!(code.check_names(&form), Err(TimelineError::UnknownCode(0)));
    }

    #[test]
    fn histograms_bound_their_last_bar() {
        let bars = histogram(&[0.0, 59_999.0, 60_000.0, 1e12, f64::INFINITY, -5.0], 60_000.0, 3);
        let counts: Vec<usize> = bars.iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![3, 1, 2]);
        assert_eq!(
            (bars[1].from_ms, bars[1].to_ms, bars[2].to_ms),
            (60_000.0, Some(120_000.0), None)
        );
        assert_eq!(histogram(&[], 0.0, 0).len(), 1);
    }

    #[test]
    fn steps_fields_and_errors_are_ranked() {
        let submitted = filing().metrics(IDLE_THRESHOLD_MS, TARGET_MS);
        let mut short = filing();
        short.events.truncate(6);
        short.events.push(ev(22_000.0, EventKind::Hidden));
        let left = short.metrics(IDLE_THRESHOLD_MS, TARGET_MS);
        let steps = step_times(&[submitted.clone(), left.clone()]);
        assert_eq!(steps[0].step, "one");
        assert_eq!(
            (steps[0].filings, steps[0].median_ms, steps[0].p90_ms),
            (2, 12_000.0, 321_000.0)
        );
        assert_eq!(steps[1].step, "review");
        let fields = field_times(&[submitted, left]);
        assert_eq!(fields.len(), 1);
        assert_eq!((fields[0].filings, fields[0].median_dwell_ms), (2, 9_000.0));
        assert_eq!((fields[0].corrections, fields[0].errors), (1, 2));
        let spots = error_hot_spots([&filing(), &short, &filing()]);
        assert_eq!(
            spots,
            vec![HotSpot {
                field: f("phone"),
                code: f("phone.length"),
                shown: 3,
                filings: 3
            }]
        );
    }

    #[test]
    fn satisfaction_counts_ratings() {
        let s = satisfaction(&[5, 4, 4, 0, 6, 1]);
        assert_eq!((s.count, s.distribution), (4, [1, 0, 0, 2, 1]));
        assert_eq!(
            (s.mean, s.satisfied_share, s.meets_target),
            (Some(3.5), Some(0.75), Some(false))
        );
        let none = satisfaction(&[]);
        assert_eq!((none.mean, none.satisfied_share, none.meets_target), (None, None, None));
        // 19 of 20 rated 4 or 5: the 95% target, just.
        let mut ratings = vec![5; 19];
        ratings.push(3);
        assert_eq!(satisfaction(&ratings).meets_target, Some(true));
    }

    #[test]
    fn extra_keys_in_events_are_refused() {
        let extra = r#"{"events": [{"at": 1, "type": "change", "field": "phone", "value": "0912345678"}]}"#;
        assert!(
            serde_json::from_str::<Timeline>(extra).is_err(),
            "a value cannot ride along"
        );
        let fine = r#"{"events": [{"at": 1, "type": "change", "field": "phone"}]}"#;
        assert!(serde_json::from_str::<Timeline>(fine).is_ok());
    }
}
