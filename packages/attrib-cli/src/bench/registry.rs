//! Registry messages: a schema, a dataset with a canary, three tranches and a refused
//! duplicate, acceptance after the challenge window, a sealed version and a license;
//! retirement, configuration and governance. The dataset and tranches listed here are
//! the ones the other contracts' measurements build on.

use std::time::Duration;

use anyhow::Result;
use attrib_registry::contract::sv::{ExecMsg, QueryMsg};
use attrib_registry::msg::{ConfigResponse, NewDataset};
use attrib_std::interfaces::governance::sv::ExecMsg as GovExec;
use attrib_std::registry::{LicenseExpiry, LicenseId, LicenseTerms, VerificationTier};
use cosmwasm_std::{coin, Coin};

use super::{id_from, nth, Bench};

/// What the registry's measurements leave listed for the others.
pub(super) struct Listed {
    pub dataset_id: u64,
    /// Accepted and sealed in version 1, by alice, bob and carol.
    pub tranches: Vec<u64>,
    /// The registry's tranche bond.
    pub tranche_bond: Vec<Coin>,
}

pub(super) async fn run(b: &mut Bench<'_>) -> Result<Listed> {
    let ctx = b.ctx;
    let registry = b.target("registry", "registry")?;
    let config: ConfigResponse = ctx.chain.query(&registry.addr, &QueryMsg::Config {}).await?;
    let c = config.config;
    let fee: Vec<Coin> = c.schema_fee.clone().into_iter().collect();
    let o = b
        .exec(
            "maintainer",
            &registry,
            "register_schema",
            &ExecMsg::RegisterSchema {
                uri: "ipfs://bench/schema".into(),
                hash: b.root(0),
            },
            fee,
            "",
        )
        .await?;
    let schema_id = id_from(&o, attrib_std::events::SCHEMA_REGISTERED, "schema_id")?;
    let terms = LicenseTerms {
        license: LicenseId::Spdx("CC-BY-4.0".into()),
        commercial_use: true,
        derivatives_allowed: true,
        price: vec![coin(5_000, "uatr")],
        royalty_per_unit: vec![coin(1, "uatr")],
        expiry: LicenseExpiry::AfterSeconds(86_400),
    };
    let canary = b.root(200);
    let dataset_msg = |name: &str| ExecMsg::RegisterDataset {
        dataset: NewDataset {
            name: name.into(),
            schema_id,
            metadata_uri: "ipfs://bench/dataset".into(),
            terms: terms.clone(),
            tier: VerificationTier::Optimistic,
            weight_rule: None,
            max_tranche_records: None,
            canaries: Some(vec![canary.clone()]),
        },
    };
    let bond: Vec<Coin> = c.dataset_bond.clone().into_iter().collect();
    let o = b
        .exec(
            "maintainer",
            &registry,
            "register_dataset",
            &dataset_msg("bench"),
            bond.clone(),
            "optimistic, 1 canary",
        )
        .await?;
    let dataset_id = id_from(&o, attrib_std::events::DATASET_REGISTERED, "dataset_id")?;

    let tbond: Vec<Coin> = c.tranche_bond.clone().into_iter().collect();
    let mut tranches = vec![];
    for (i, who) in ["alice", "bob", "carol"].iter().enumerate() {
        let label = nth("register_tranche", i);
        let o = b
            .register_tranche(
                who,
                &registry,
                &label,
                dataset_id,
                b.root(10 + i as u8),
                "ipfs://bench/tranche",
                tbond.clone(),
                "optimistic tier",
            )
            .await?;
        tranches.push(id_from(&o, attrib_std::events::TRANCHE_REGISTERED, "tranche_id")?);
    }
    b.register_tranche(
        "spammer",
        &registry,
        "register_tranche (duplicate)",
        dataset_id,
        b.root(10),
        "ipfs://bench/dup",
        tbond.clone(),
        "refused, bond forfeited",
    )
    .await?;
    b.exec(
        "maintainer",
        &registry,
        "add_canary",
        &ExecMsg::AddCanary {
            dataset_id,
            commitment: b.root(201),
        },
        vec![],
        "",
    )
    .await?;
    b.exec(
        "maintainer",
        &registry,
        "update_license_terms",
        &ExecMsg::UpdateLicenseTerms {
            dataset_id,
            terms: terms.clone(),
        },
        vec![],
        "",
    )
    .await?;

    eprintln!(
        "  waiting {}s for the challenge window",
        c.challenge_window_secs + 1
    );
    tokio::time::sleep(Duration::from_secs(c.challenge_window_secs + 1)).await;
    for (i, t) in tranches.iter().enumerate() {
        let label = nth("accept_unchallenged", i);
        b.exec(
            "auditor",
            &registry,
            &label,
            &ExecMsg::AcceptUnchallenged { tranche_id: *t },
            vec![],
            "bond returned",
        )
        .await?;
    }
    b.exec(
        "maintainer",
        &registry,
        "seal_version (3 tranches)",
        &ExecMsg::SealVersion {
            dataset_id,
            tranche_ids: tranches.clone(),
        },
        vec![],
        "3 contributors, bond returned",
    )
    .await?;
    b.exec(
        "devshop",
        &registry,
        "buy_license",
        &ExecMsg::BuyLicense {
            dataset_id,
            version: 1,
            licensee: None,
        },
        vec![coin(5_000, "uatr")],
        "payment forwarded",
    )
    .await?;

    let o = b
        .exec(
            "maintainer",
            &registry,
            "register_dataset #2",
            &dataset_msg("bench-retire"),
            bond,
            "",
        )
        .await?;
    let retire_id = id_from(&o, attrib_std::events::DATASET_REGISTERED, "dataset_id")?;
    b.exec(
        "maintainer",
        &registry,
        "retire_dataset",
        &ExecMsg::RetireDataset {
            dataset_id: retire_id,
        },
        vec![],
        "bond forfeited",
    )
    .await?;

    let update = attrib_registry::msg::ConfigUpdate {
        challenge_window_secs: Some(c.challenge_window_secs),
        ..Default::default()
    };
    b.exec(
        "admin",
        &registry,
        "update_config",
        &ExecMsg::UpdateConfig { update },
        vec![],
        "",
    )
    .await?;
    for paused in [true, false] {
        b.exec(
            "admin",
            &registry,
            &format!("set_paused ({paused})"),
            &GovExec::SetPaused { paused },
            vec![],
            "",
        )
        .await?;
    }
    let admin = ctx.keys()?.address("admin")?;
    b.exec(
        "admin",
        &registry,
        "propose_admin",
        &GovExec::ProposeAdmin {
            new_admin: Some(admin),
        },
        vec![],
        "to itself",
    )
    .await?;
    b.exec(
        "admin",
        &registry,
        "accept_admin",
        &GovExec::AcceptAdmin {},
        vec![],
        "",
    )
    .await?;

    Ok(Listed {
        dataset_id,
        tranches,
        tranche_bond: tbond,
    })
}
