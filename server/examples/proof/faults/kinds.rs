//! The ways a charger misbehaves in `faults`, how each is injected into
//! the simulator, and the outcome a set must be audited with under it.

use std::time::Duration;

use evse_dashboard::clemap::simulator::Faults;
use evse_dashboard::problem::{ClemapFailure, Problem};
use evse_dashboard::types::{ControlOutcome, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Hang,
    Status500,
    Malformed,
    Redirect,
    Slow,
}

pub const KINDS: [Fault; 5] = [
    Fault::Hang,
    Fault::Status500,
    Fault::Malformed,
    Fault::Redirect,
    Fault::Slow,
];

impl Fault {
    pub fn faults(self) -> Faults {
        let base = Faults::default();
        match self {
            Fault::Hang => Faults { hang: true, ..base },
            Fault::Status500 => Faults {
                error_rate: 1.0,
                error_status: Some(500),
                ..base
            },
            Fault::Malformed => Faults {
                malformed: true,
                ..base
            },
            Fault::Redirect => Faults {
                redirect_to: Some("https://elsewhere.example/steal".into()),
                ..base
            },
            Fault::Slow => Faults {
                latency: Duration::from_secs(2),
                ..base
            },
        }
    }

    /// Whether a set's outcome is what this fault (or none) must produce:
    /// received when CLEMAP answered in time, else an error naming why.
    pub fn expects(fault: Option<Fault>, o: &ControlOutcome) -> bool {
        let clemap = match &o.problem {
            Some(Problem::Clemap(failure)) => Some(failure),
            _ => None,
        };
        match fault {
            None | Some(Fault::Slow) => o.outcome == Outcome::Received && o.problem.is_none(),
            Some(kind) => {
                o.outcome == Outcome::Error
                    && match (kind, clemap) {
                        (Fault::Hang, Some(ClemapFailure::Timeout { .. })) => true,
                        (Fault::Status500, Some(ClemapFailure::UpstreamError { status })) => {
                            *status == 500
                        }
                        (Fault::Malformed, Some(ClemapFailure::Unreadable { status })) => {
                            *status == 200
                        }
                        (Fault::Redirect, Some(ClemapFailure::UnexpectedStatus { status })) => {
                            *status == 301
                        }
                        _ => false,
                    }
            }
        }
    }
}
