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
mod tests {
    use super::*;

    const SUPPLY: Supply = Supply {
        limit: 100,
        minimum: 6,
    };

    fn point(id: i64, state: State) -> Point {
        Point {
            charger_id: id,
            priority: Priority::Normal,
            min_current: 6,
            max_current: 32,
            bound: None,
            state,
        }
    }

    fn charging(arrived: i64) -> State {
        State::Charging {
            draw: [16.0; 3],
            given: None,
            arrived,
        }
    }

    fn amps(a: &Allocation, id: i64) -> u32 {
        a.share(id).unwrap().amps.unwrap()
    }

    fn within_limit(a: &Allocation, limit: u32) {
        assert!(a.counted.iter().all(|&c| c <= limit), "{:?}", a.counted);
    }

    #[test]
    fn equal_cars_share_equally_up_to_their_maximum() {
        let points: Vec<_> = (1..=4).map(|i| point(i, charging(i))).collect();
        let a = allocate(SUPPLY, &points);
        assert_eq!(
            (1..=4).map(|i| amps(&a, i)).collect::<Vec<_>>(),
            [25, 25, 25, 25]
        );
        within_limit(&a, 100);
        let few = allocate(SUPPLY, &points[..2]);
        assert_eq!(amps(&few, 1), 32);
        assert_eq!(few.share(1).unwrap().why, Why::Maximum);
    }

    #[test]
    fn nine_cars_differ_by_at_most_one_amp_and_use_the_supply() {
        let points: Vec<_> = (1..=9).map(|i| point(i, charging(i))).collect();
        let a = allocate(SUPPLY, &points);
        let given: Vec<u32> = (1..=9).map(|i| amps(&a, i)).collect();
        assert!(
            given.iter().max().unwrap() - given.iter().min().unwrap() <= 1,
            "{given:?}"
        );
        assert_eq!(a.counted, [100; 3]);
        // The earlier cars get the odd amperes.
        assert_eq!(given[0], 12);
        assert_eq!(given[8], 11);
        assert_eq!(a.share(9).unwrap().why, Why::Shared { phase: 0, cars: 9 });
    }

    #[test]
    fn free_chargers_hold_a_reserve_unless_their_range_allows_zero() {
        let mut points = vec![
            point(1, charging(1)),
            point(2, State::Free),
            point(3, State::Free),
        ];
        points[2].min_current = 0;
        let a = allocate(SUPPLY, &points);
        assert_eq!(amps(&a, 2), 6);
        assert_eq!(amps(&a, 3), 0);
        assert_eq!((a.reserved, a.free), (6, 2));
        assert_eq!(amps(&a, 1), 32);
        let tight = allocate(
            Supply {
                limit: 20,
                ..SUPPLY
            },
            &points,
        );
        assert_eq!(amps(&tight, 1), 14);
        within_limit(&tight, 20);
    }

    #[test]
    fn higher_priority_is_served_first() {
        let mut points: Vec<_> = (1..=4).map(|i| point(i, charging(i))).collect();
        points[3].priority = Priority::High;
        points[0].priority = Priority::Low;
        let a = allocate(
            Supply {
                limit: 60,
                ..SUPPLY
            },
            &points,
        );
        assert_eq!(amps(&a, 4), 32, "high takes all it can");
        assert_eq!(amps(&a, 2), 11);
        assert_eq!(amps(&a, 3), 11);
        assert_eq!(amps(&a, 1), 6, "low keeps its minimum");
        assert_eq!(a.share(1).unwrap().why, Why::Minimum);
        within_limit(&a, 60);
    }

    #[test]
    fn a_single_phase_car_counts_on_its_phase_only() {
        let mut points: Vec<_> = (1..=3).map(|i| point(i, charging(i))).collect();
        points[0].state = State::Charging {
            draw: [16.0, 0.0, 0.0],
            given: None,
            arrived: 1,
        };
        let a = allocate(
            Supply {
                limit: 40,
                ..SUPPLY
            },
            &points,
        );
        assert_eq!(a.share(1).unwrap().counted, [amps(&a, 1), 0, 0]);
        within_limit(&a, 40);
        // L1 carries three cars, L2 and L3 two: those two get no more than
        // L1 allows them, since they draw on L1 as well.
        assert_eq!(a.counted[0], 40);
        assert!(amps(&a, 1) >= 13, "{a:?}");
    }

    #[test]
    fn an_unreadable_charger_counts_at_the_most_it_may_draw() {
        let points = vec![
            point(1, charging(1)),
            point(2, State::Unreadable { target: None }),
            point(3, State::Unreadable { target: Some(10) }),
        ];
        let a = allocate(
            Supply {
                limit: 60,
                ..SUPPLY
            },
            &points,
        );
        assert_eq!(a.share(2).unwrap().amps, None);
        assert_eq!(a.share(2).unwrap().counted, [32; 3]);
        assert_eq!(a.share(3).unwrap().counted, [10; 3]);
        assert_eq!(amps(&a, 1), 18);
        within_limit(&a, 60);
    }

    #[test]
    fn a_stubborn_car_counts_at_its_draw() {
        let points = vec![
            point(1, charging(1)),
            point(
                2,
                State::NotFollowing {
                    draw: [30.0, 30.0, 30.0],
                },
            ),
        ];
        let a = allocate(
            Supply {
                limit: 40,
                ..SUPPLY
            },
            &points,
        );
        assert_eq!(a.share(2).unwrap().amps, None, "nothing is sent to it");
        assert_eq!(a.share(2).unwrap().counted, [30; 3]);
        assert_eq!(amps(&a, 1), 10);
    }

    #[test]
    fn a_tapering_car_gives_back_what_it_does_not_use() {
        let mut points: Vec<_> = (1..=2).map(|i| point(i, charging(i))).collect();
        points[0].state = State::Charging {
            draw: [7.2; 3],
            given: Some(20),
            arrived: 1,
        };
        let a = allocate(
            Supply {
                limit: 40,
                ..SUPPLY
            },
            &points,
        );
        assert_eq!(amps(&a, 1), 12, "7.2 A drawn plus the buffer, rounded up");
        assert_eq!(a.share(1).unwrap().why, Why::Taking);
        assert_eq!(amps(&a, 2), 28);
    }

    #[test]
    fn a_persons_target_is_an_upper_bound() {
        let mut points: Vec<_> = (1..=2).map(|i| point(i, charging(i))).collect();
        points[0].bound = Some(10);
        let a = allocate(SUPPLY, &points);
        assert_eq!(amps(&a, 1), 10);
        assert_eq!(a.share(1).unwrap().why, Why::Bounded);
        assert_eq!(amps(&a, 2), 32);
    }

    #[test]
    fn when_the_minima_do_not_fit_the_latest_low_car_is_paused_or_unserved() {
        let mut points: Vec<_> = (1..=4).map(|i| point(i, charging(i))).collect();
        points[2].min_current = 0;
        points[2].priority = Priority::Low;
        let a = allocate(
            Supply {
                limit: 12,
                ..SUPPLY
            },
            &points,
        );
        assert_eq!(amps(&a, 3), 0);
        assert_eq!(a.share(3).unwrap().why, Why::Paused);
        // Charger 4 cannot be paused: over-subscribed.
        assert_eq!(a.share(4).unwrap().why, Why::Unserved);
        assert!(a.oversubscribed);
        assert_eq!(amps(&a, 1), 6);
        let fits = allocate(
            Supply {
                limit: 24,
                ..SUPPLY
            },
            &points,
        );
        assert!(!fits.oversubscribed);
        within_limit(&fits, 24);
    }
}
