//! How a site's supply is shared among the cars charging now (#40): a
//! pure function of the site's settings and one round's readings, so the
//! whole rule is in this file and its table test.
//!
//! Per phase, in this order:
//! 1. What cannot be steered is counted first: a charger that cannot be
//!    read at the most it may draw, a car that does not follow its target
//!    at what it draws (neither is sent anything), and each charger with
//!    no car at its reserve (so a car that arrives between rounds cannot
//!    push the site over).
//! 2. Every charging car gets its minimum, by priority, then by arrival.
//!    One that no longer fits is paused where its range allows 0 A, else
//!    it is counted anyway and the site is over-subscribed.
//! 3. The rest is shared equally (max-min fair, per phase) among the cars
//!    of the highest priority, each up to what it takes; then the next
//!    priority. A car that draws clearly less than it was given takes
//!    only what it draws plus [`BUFFER_A`], so a tapering car gives back
//!    what it does not use, and a person's target is an upper bound.
//!
//! Amperes are whole (CLEMAP takes whole amperes): shares are rounded
//! down, then the whole amperes left are handed out one at a time in the
//! same order. The sum per phase never exceeds the limit unless the site
//! is over-subscribed.

use serde::{Deserialize, Serialize};

use crate::vocabulary::Priority;

/// What a car drawing less than it was given may take above its draw.
pub const BUFFER_A: u32 = 4;

/// Below this a phase counts as unused.
const DRAWING_A: f64 = 0.5;

/// Slack for float comparisons of amperes.
const EPS: f64 = 1e-6;

/// A site's settings as the allocation needs them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Supply {
    /// Amperes per phase the site may draw.
    pub limit: u32,
    /// Amperes each charging car gets at least.
    pub minimum: u32,
}

/// One charger of the site, as the round saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub charger_id: i64,
    pub priority: Priority,
    /// The charger's registered range.
    pub min_current: u32,
    pub max_current: u32,
    /// A person's, a schedule's or a token's target in force: the most
    /// the manager sends.
    pub bound: Option<u32>,
    pub state: State,
}

/// What the round read of a charger.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    /// No car is charging.
    Free,
    /// A car is charging.
    Charging {
        /// Amperes drawn per phase.
        draw: [f64; 3],
        /// The manager's target in force, if any.
        given: Option<u32>,
        /// When the car started charging (earlier is served first), as a
        /// sortable number (Unix milliseconds).
        arrived: i64,
    },
    /// Not read this round: counted at the target in force, else at the
    /// charger's maximum.
    Unreadable { target: Option<u32> },
    /// Its verdict is "not followed": counted at what it draws.
    NotFollowing { draw: [f64; 3] },
}

/// Why a charger got what it got, for the page's sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "why")]
pub enum Why {
    /// No car: held for one that may arrive.
    Reserve,
    /// Not read: counted at the most it may draw, nothing sent.
    CountedAtMost,
    /// Does not follow its target: counted at its draw; nothing sent (the
    /// target in force stays, so its verdict keeps referring to it).
    NotFollowing,
    /// Its share of what is left on `phase` (0 = L1), with `cars` cars
    /// sharing it.
    Shared { phase: u8, cars: u32 },
    /// As much as it takes: it draws less than it was given.
    Taking,
    /// Held to the target a person, schedule or token set.
    Bounded,
    /// Its registered maximum.
    Maximum,
    /// Only its minimum: cars of higher priority took the rest.
    Minimum,
    /// Paused: the minima of the cars before it used the supply.
    Paused,
    /// Could not be served within the limit, and cannot be paused.
    Unserved,
}

/// One charger's share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub charger_id: i64,
    /// The target to send; none for a charger that cannot be read.
    pub amps: Option<u32>,
    /// What it counts for on each phase.
    pub counted: [u32; 3],
    pub why: Why,
}

/// A site's allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub shares: Vec<Share>,
    /// The sum counted per phase: allocations, reserves, and what could
    /// not be steered.
    pub counted: [u32; 3],
    /// Amperes held for chargers with no car, and how many they are.
    pub reserved: u32,
    pub free: u32,
    /// Some charging car could not be given its minimum.
    pub oversubscribed: bool,
}

impl Allocation {
    pub fn share(&self, charger_id: i64) -> Option<&Share> {
        self.shares.iter().find(|s| s.charger_id == charger_id)
    }
}

/// The phases a draw uses; a car that draws nothing measurable yet (it
/// has just started) counts on all three.
fn phases_of(draw: &[f64; 3]) -> [bool; 3] {
    let used = draw.map(|a| a > DRAWING_A);
    if used.iter().any(|&u| u) {
        used
    } else {
        [true; 3]
    }
}

fn on_phases(amps: f64, phases: [bool; 3]) -> [f64; 3] {
    phases.map(|on| if on { amps } else { 0.0 })
}

fn whole_on(amps: u32, phases: [bool; 3]) -> [u32; 3] {
    phases.map(|on| if on { amps } else { 0 })
}

fn add_whole(total: &mut [u32; 3], more: [u32; 3]) {
    for (t, m) in total.iter_mut().zip(more) {
        *t += m;
    }
}

fn add(used: &mut [f64; 3], more: [f64; 3]) {
    for (u, m) in used.iter_mut().zip(more) {
        *u += m;
    }
}

/// A car being shared to.
struct Car {
    index: usize,
    priority: Priority,
    arrived: i64,
    phases: [bool; 3],
    given: f64,
    cap: f64,
    why: Why,
}

/// Shares the supply; `points` in any order, the result in the same order.
pub fn allocate(supply: Supply, points: &[Point]) -> Allocation {
    let limit = f64::from(supply.limit);
    let mut used = [0.0; 3];
    let mut shares: Vec<Share> = Vec::with_capacity(points.len());
    let mut cars: Vec<Car> = Vec::new();
    let (mut reserved, mut free) = (0, 0);

    // 1. What is not shared.
    for (index, point) in points.iter().enumerate() {
        let (amps, counted, why) = match &point.state {
            State::Free => {
                let reserve = reserve(supply, point);
                reserved += reserve;
                free += 1;
                let counted = [f64::from(reserve); 3];
                (Some(reserve), counted, Why::Reserve)
            }
            State::Unreadable { target } => {
                let most = target.unwrap_or(point.max_current);
                (None, [f64::from(most); 3], Why::CountedAtMost)
            }
            State::NotFollowing { draw } => (None, *draw, Why::NotFollowing),
            State::Charging {
                draw,
                given,
                arrived,
            } => {
                let measured = draw.iter().copied().fold(0.0, f64::max);
                let mut cap = f64::from(point.max_current);
                let mut why = Why::Maximum;
                if let Some(bound) = point.bound
                    && f64::from(bound) < cap
                {
                    cap = f64::from(bound);
                    why = Why::Bounded;
                }
                // Taking clearly less than given: a tapering car.
                if let Some(given) = given
                    && measured + 1.0 < f64::from(*given)
                {
                    let taking = (measured + f64::from(BUFFER_A)).ceil();
                    if taking < cap {
                        cap = taking;
                        why = Why::Taking;
                    }
                }
                cars.push(Car {
                    index,
                    priority: point.priority,
                    arrived: *arrived,
                    phases: phases_of(draw),
                    given: 0.0,
                    cap,
                    why,
                });
                (Some(0), [0.0; 3], why)
            }
        };
        add(&mut used, counted);
        shares.push(Share {
            charger_id: point.charger_id,
            amps,
            counted: counted.map(|a| a.ceil() as u32),
            why,
        });
    }

    // 2. Minima, by priority then arrival.
    cars.sort_by_key(|c| (c.priority.rank(), c.arrived, points[c.index].charger_id));
    let mut oversubscribed = false;
    let mut served: Vec<Car> = Vec::with_capacity(cars.len());
    for mut car in cars {
        let point = &points[car.index];
        let minimum = f64::from(car_minimum(supply, point)).min(car.cap);
        let fits = (0..3).all(|p| !car.phases[p] || used[p] + minimum <= limit + EPS);
        if fits {
            car.given = minimum;
            add(&mut used, on_phases(minimum, car.phases));
            served.push(car);
        } else if point.min_current == 0 {
            shares[car.index].why = Why::Paused;
        } else {
            oversubscribed = true;
            add(&mut used, on_phases(minimum, car.phases));
            shares[car.index].amps = Some(minimum as u32);
            shares[car.index].counted = on_phases(minimum, car.phases).map(|a| a as u32);
            shares[car.index].why = Why::Unserved;
        }
    }

    // 3. The rest, equally within each priority, highest first.
    let mut level_start = 0;
    while level_start < served.len() {
        let priority = served[level_start].priority;
        let level_end = served[level_start..]
            .iter()
            .position(|c| c.priority != priority)
            .map_or(served.len(), |n| level_start + n);
        fill(&mut served[level_start..level_end], &mut used, limit);
        level_start = level_end;
    }

    // Whole amperes: round down, then hand out what is left, 1 A at a time.
    let mut whole = [0u32; 3];
    for share in &shares {
        add_whole(&mut whole, share.counted);
    }
    for car in &mut served {
        car.given = (car.given + EPS).floor();
        add_whole(&mut whole, whole_on(car.given as u32, car.phases));
    }
    loop {
        let mut gave = false;
        for car in served.iter_mut() {
            let room = (0..3).all(|p| !car.phases[p] || whole[p] < supply.limit);
            if room && car.given + 1.0 <= car.cap + EPS {
                car.given += 1.0;
                add_whole(&mut whole, whole_on(1, car.phases));
                gave = true;
            }
        }
        if !gave {
            break;
        }
    }

    // Why each car got what it got.
    for car in &served {
        let minimum = f64::from(car_minimum(supply, &points[car.index])).min(car.cap);
        let amps = car.given as u32;
        let why = if car.given + EPS >= car.cap {
            car.why
        } else if car.given <= minimum + EPS && car.priority != served[0].priority {
            Why::Minimum
        } else {
            let phase = binding_phase(car.phases, &whole);
            let cars = served.iter().filter(|c| c.phases[phase as usize]).count() as u32;
            Why::Shared { phase, cars }
        };
        let share = &mut shares[car.index];
        share.amps = Some(amps);
        share.counted = whole_on(amps, car.phases);
        share.why = why;
    }

    let mut counted = [0u32; 3];
    for share in &shares {
        add_whole(&mut counted, share.counted);
    }
    Allocation {
        shares,
        counted,
        reserved,
        free,
        oversubscribed,
    }
}

/// Max-min fair filling of one priority's cars: raise all together until
/// a car reaches what it takes or a phase is full, freeze those, go on.
fn fill(cars: &mut [Car], used: &mut [f64; 3], limit: f64) {
    let mut active: Vec<usize> = (0..cars.len())
        .filter(|&i| cars[i].given + EPS < cars[i].cap)
        .collect();
    while !active.is_empty() {
        let mut step = f64::INFINITY;
        for (p, used) in used.iter().enumerate() {
            let sharing = active.iter().filter(|&&i| cars[i].phases[p]).count();
            if sharing > 0 {
                step = step.min((limit - used).max(0.0) / sharing as f64);
            }
        }
        for &i in &active {
            step = step.min(cars[i].cap - cars[i].given);
        }
        for &i in &active {
            cars[i].given += step;
            add(used, on_phases(step, cars[i].phases));
        }
        active.retain(|&i| {
            let car = &cars[i];
            let full = (0..3).any(|p| car.phases[p] && used[p] >= limit - EPS);
            car.given + EPS < car.cap && !full
        });
    }
}

/// The phase that limited a car: its fullest.
fn binding_phase(phases: [bool; 3], whole: &[u32; 3]) -> u8 {
    (0..3u8)
        .filter(|&p| phases[p as usize])
        .max_by_key(|&p| (whole[p as usize], std::cmp::Reverse(p)))
        .unwrap_or(0)
}

/// The least a charging car gets: the site's minimum, within the
/// charger's range, and never above a person's target.
fn car_minimum(supply: Supply, point: &Point) -> u32 {
    let minimum = supply.minimum.max(point.min_current).min(point.max_current);
    point.bound.map_or(minimum, |b| minimum.min(b))
}

/// What a charger with no car holds: the minimum, or 0 where its range
/// allows 0.
fn reserve(supply: Supply, point: &Point) -> u32 {
    if point.min_current == 0 {
        0
    } else {
        car_minimum(supply, point)
    }
}

#[cfg(test)]
mod tests;
