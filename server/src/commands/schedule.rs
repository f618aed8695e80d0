//! `schedule add|list|disable|remove`, audited as the operating-system
//! user (`cli:NAME`). The running server's engine applies the result.

use evse_dashboard::schedule::{Schedules, Target};
use evse_dashboard::types::{ScheduleInput, ScheduleScope};

use super::{CommandResult, cli_actor, open_backend, said};
use crate::cli::{DataArgs, ScheduleAddArgs, ScheduleCommand};

async fn schedules(data: &DataArgs) -> Result<Schedules, crate::data_dir::BackendError> {
    let (audit, _vault) = open_backend(data).await?;
    Ok(Schedules::new(audit))
}

pub async fn run(command: ScheduleCommand) -> CommandResult {
    match command {
        ScheduleCommand::Add(args) => add(args).await,
        ScheduleCommand::List(data) => list(&data).await,
        ScheduleCommand::Disable { id, data } => {
            let changed = schedules(&data)
                .await?
                .set_enabled(&cli_actor(), id, false)
                .await
                .map_err(|e| said(e.problem()))?;
            println!("disabled schedule {id} ({})", changed.schedule.name);
            Ok(())
        }
        ScheduleCommand::Remove { id, data } => {
            let changed = schedules(&data)
                .await?
                .delete(&cli_actor(), id)
                .await
                .map_err(|e| said(e.problem()))?;
            println!("removed schedule {id} ({})", changed.schedule.name);
            Ok(())
        }
    }
}

async fn add(args: ScheduleAddArgs) -> CommandResult {
    let target = match (args.charger, args.site) {
        (Some(id), _) => Target::Charger(id),
        (None, Some(id)) => Target::Site(id),
        (None, None) => unreachable!("clap requires --charger or --site"),
    };
    let input = ScheduleInput {
        name: args.name,
        from: args.from,
        to: args.to,
        current: args.current.to_string(),
        time_zone: args.timezone.unwrap_or_default(),
        valid_from: args.valid_from.unwrap_or_default(),
        valid_to: args.valid_to.unwrap_or_default(),
        ..ScheduleInput::default()
    }
    .with_days(args.days.bits());
    let changed = schedules(&args.data)
        .await?
        .create(&cli_actor(), target, &input)
        .await
        .map_err(|e| said(e.problem()))?;
    let s = changed.schedule;
    println!("added schedule {} ({}): {}", s.id, s.name, summary(&s));
    Ok(())
}

fn summary(s: &evse_dashboard::types::Schedule) -> String {
    let scope = match &s.scope {
        ScheduleScope::Charger { id, name } => format!("charger {id} ({name})"),
        ScheduleScope::Site { id, name } => format!("each charger of site {id} ({name})"),
    };
    let days = evse_dashboard::schedule::Days::from_bits(s.days)
        .map_or_else(String::new, |d| d.to_string());
    let next = s.next_local.map_or_else(
        || "none".to_owned(),
        |(start, _)| start.format("%Y-%m-%d %H:%M").to_string(),
    );
    format!(
        "{days} {}-{} {} A ({}) on {scope}; {}; next {next}",
        s.start.format("%H:%M"),
        s.end.format("%H:%M"),
        s.current,
        s.time_zone,
        if s.enabled { "enabled" } else { "disabled" },
    )
}

async fn list(data: &DataArgs) -> CommandResult {
    let all = schedules(data).await?.all().await?;
    if all.is_empty() {
        println!("no schedules");
    }
    for (s, _) in all {
        println!("{:>4}  {}  {}", s.id, s.name, summary(&s));
    }
    Ok(())
}
