//! The allocation's table: one case per rule of `allocate`.

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
