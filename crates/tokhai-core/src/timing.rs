//! Filing timelines and their metrics: login → submission, active time, steps, fields, corrections.
//!
//! A timeline holds field ids and issue codes only, never a value the citizen typed.
//! Timestamps are milliseconds since the Unix epoch, supplied by the shell.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The national target from 2026: login to submission within 5 minutes.
pub const TARGET_MS: f64 = 5.0 * 60_000.0;

/// Gaps longer than this between events count as idle, not active, time.
pub const IDLE_THRESHOLD_MS: f64 = 60_000.0;

/// Most events a timeline may hold.
pub const MAX_EVENTS: usize = 20_000;

/// Something that happened during a filing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventKind {
    /// The form was mounted and ready.
    Start,
    /// A field got focus.
    Focus { field: String },
    /// A field lost focus.
    Blur { field: String },
    /// A field's value changed.
    Change { field: String },
    /// An issue was shown on a field.
    ErrorShown { field: String, code: String },
    /// A field's issues were cleared.
    ErrorCleared { field: String },
    /// A wizard step was entered (`review` for the review page).
    Step { step: String },
    /// The citizen pressed submit.
    Submit,
    /// The widget retried sending the submission.
    Retry,
    /// The server answered with a receipt.
    Receipt,
    /// The page was hidden (tab switched or closed).
    Hidden,
}

/// One event and when it happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Milliseconds since the Unix epoch.
    pub at: f64,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
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
        step: Option<String>,
        field: Option<String>,
    },
}

/// The metrics of one filing, computed identically in the browser, the server and the QA runner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Whether the clock started at the portal's login (else at mount).
    pub from_login: bool,
    /// Milliseconds from login (or mount) to the last submit press, if any.
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
    /// Prefilled fields exceed the total.
    #[error("more prefilled fields than fields")]
    BadCoverage,
}

impl Timeline {
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
        if self.fields_prefilled > self.fields_total {
            return Err(TimelineError::BadCoverage);
        }
        Ok(())
    }

    /// Moves every time into `[earliest, latest]` (the server's own login and receipt times),
    /// so a forged timeline cannot claim an impossible duration; returns how many were moved.
    pub fn clamp(&mut self, earliest: f64, latest: f64) -> usize {
        let mut moved = 0;
        let mut clamp = |t: &mut f64| {
            let c = t.clamp(earliest, latest.max(earliest));
            if c != *t {
                *t = c;
                moved += 1;
            }
        };
        if let Some(login) = self.login_at.as_mut() {
            clamp(login);
        }
        for e in &mut self.events {
            clamp(&mut e.at);
        }
        self.events.sort_by(|a, b| a.at.total_cmp(&b.at));
        moved
    }

    /// The metrics of this timeline.
    pub fn metrics(&self, idle_threshold_ms: f64, target_ms: f64) -> Metrics {
        let mut events: Vec<&Event> = self.events.iter().collect();
        events.sort_by(|a, b| a.at.total_cmp(&b.at));
        let mount = events.first().map(|e| e.at);
        let start = self.login_at.or(mount);
        let last_submit = events.iter().rev().find(|e| e.kind == EventKind::Submit).map(|e| e.at);
        let to_submit_ms = start.zip(last_submit).map(|(s, t)| (t - s).max(0.0));

        let active_ms = events
            .windows(2)
            .map(|w| w[1].at - w[0].at)
            .filter(|&gap| gap <= idle_threshold_ms)
            .sum();

        let mut steps: Vec<StepTime> = Vec::new();
        let mut fields: BTreeMap<&str, FieldStats> = BTreeMap::new();
        let mut current_step: Option<(&str, f64)> = None;
        let mut focused: Option<(&str, f64)> = None;
        let (mut retries, mut last_step, mut last_field) = (0, None, None);
        for e in &events {
            match &e.kind {
                EventKind::Step { step } => {
                    close_step(&mut steps, current_step, e.at);
                    current_step = Some((step, e.at));
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
                EventKind::Submit | EventKind::Hidden | EventKind::Receipt => {
                    close_step(&mut steps, current_step.take(), e.at);
                }
                EventKind::Start | EventKind::ErrorCleared { .. } => {}
            }
        }
        let submitted = events.iter().any(|e| e.kind == EventKind::Receipt);
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
        let fields: Vec<FieldStats> = fields.into_values().collect();
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

fn stats<'m, 'e>(fields: &'m mut BTreeMap<&'e str, FieldStats>, field: &'e str) -> &'m mut FieldStats {
    fields.entry(field).or_insert_with(|| FieldStats {
        field: field.to_owned(),
        ..FieldStats::default()
    })
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
    /// Median login (or mount) → submit of submitted filings, ms.
    pub median_ms: Option<f64>,
    /// 90th percentile of the same, ms.
    pub p90_ms: Option<f64>,
    /// Share of submitted filings within the target, 0 to 1.
    pub share_within_target: Option<f64>,
    /// Share of started filings abandoned, 0 to 1.
    pub abandonment_rate: f64,
    /// Where abandoned filings were left: (step or field, count), most first.
    pub abandoned_at: Vec<(String, usize)>,
}

/// Aggregates the metrics of many filings.
pub fn aggregate(filings: &[Metrics]) -> Aggregate {
    let mut durations: Vec<f64> = filings
        .iter()
        .filter(|m| m.outcome == Outcome::Submitted)
        .filter_map(|m| m.to_submit_ms)
        .collect();
    durations.sort_by(f64::total_cmp);
    let within = filings.iter().filter(|m| m.within_target == Some(true)).count();
    let mut places: BTreeMap<String, usize> = BTreeMap::new();
    for m in filings {
        if let Outcome::Abandoned { step, field } = &m.outcome {
            let place = match (step, field) {
                (Some(s), Some(f)) => format!("{s} / {f}"),
                (Some(s), None) => s.clone(),
                (None, Some(f)) => f.clone(),
                (None, None) => "—".to_owned(),
            };
            *places.entry(place).or_default() += 1;
        }
    }
    let abandoned: usize = places.values().sum();
    let mut abandoned_at: Vec<(String, usize)> = places.into_iter().collect();
    abandoned_at.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Aggregate {
        filings: filings.len(),
        submitted: durations.len(),
        median_ms: percentile(&durations, 0.5),
        p90_ms: percentile(&durations, 0.9),
        share_within_target: (!durations.is_empty()).then(|| within as f64 / durations.len() as f64),
        abandonment_rate: if filings.is_empty() {
            0.0
        } else {
            abandoned as f64 / filings.len() as f64
        },
        abandoned_at,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(at: f64, kind: EventKind) -> Event {
        Event { at, kind }
    }

    fn f(name: &str) -> String {
        name.to_owned()
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
        assert_eq!(m.to_submit_ms, Some(340_000.0));
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
        assert_eq!(m.within_target, Some(false), "340 s is over the 300 s target");
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
        assert_eq!(agg.abandoned_at, vec![(f("one / phone"), 1)]);
        assert_eq!(agg.median_ms, Some(340_000.0));
    }

    #[test]
    fn forged_times_are_clamped_to_the_servers_clock() {
        let mut t = filing();
        t.login_at = Some(-1e12);
        t.events[0].at = 9e15;
        let moved = t.clamp(0.0, 342_000.0);
        assert_eq!(moved, 2);
        assert!(t.events.iter().all(|e| (0.0..=342_000.0).contains(&e.at)));
        assert_eq!(t.login_at, Some(0.0));
        let mut bad = filing();
        bad.events[3].at = f64::NAN;
        assert_eq!(bad.check(), Err(TimelineError::BadTime(3)));
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), Some(5.0));
        assert_eq!(percentile(&v, 0.9), Some(9.0));
        assert_eq!(percentile(&[], 0.9), None);
    }
}
