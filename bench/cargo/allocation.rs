//! LM4 (#40): CPU time of one load-management round's allocations, 500
//! chargers in 50 shared sites (a mix of charging, tapering, free,
//! single-phase, unreadable and stubborn chargers and three priorities),
//! against the 20 ms budget. Prints `LM4 <ms per round> <rounds>`.
//! Run: `cargo bench -p evse-dashboard --bench allocation`

use std::hint::black_box;
use std::time::Instant;

use evse_dashboard::sharing::allocate::{Point, State, Supply, allocate};
use evse_dashboard::vocabulary::Priority;

const SITES: i64 = 50;
const PER_SITE: i64 = 10;
const ROUNDS: u32 = 2_000;

fn site(s: i64) -> Vec<Point> {
    (0..PER_SITE)
        .map(|i| {
            let id = s * PER_SITE + i;
            let state = match i % 7 {
                0 => State::Free,
                1 => State::Unreadable { target: Some(16) },
                2 => State::NotFollowing {
                    draw: [30.0, 30.0, 30.0],
                },
                3 => State::Charging {
                    draw: [15.8, 0.0, 0.0],
                    given: Some(16),
                    arrived: id,
                },
                4 => State::Charging {
                    draw: [7.1; 3],
                    given: Some(20),
                    arrived: id,
                },
                _ => State::Charging {
                    draw: [16.0; 3],
                    given: Some(16),
                    arrived: id,
                },
            };
            Point {
                charger_id: id,
                priority: [Priority::High, Priority::Normal, Priority::Low][(i % 3) as usize],
                min_current: 6,
                max_current: 32,
                bound: (i == 6).then_some(10),
                state,
            }
        })
        .collect()
}

fn main() {
    let sites: Vec<Vec<Point>> = (0..SITES).map(site).collect();
    let supply = Supply {
        limit: 120,
        minimum: 6,
    };
    let started = Instant::now();
    for _ in 0..ROUNDS {
        for points in &sites {
            black_box(allocate(supply, black_box(points)));
        }
    }
    let per_round = started.elapsed().as_secs_f64() * 1000.0 / f64::from(ROUNDS);
    println!("LM4 {per_round:.3} {ROUNDS}");
}
