//! What the receipt oracle reads from the registry (SPEC §5.1, §5.5), read as the oracle
//! reads it: through [`attrib_std::license_registry`] on a `Remote`. The same queries
//! answer the JSON the CLI sends.

use attrib_std::interfaces::license_registry::sv::Querier as _;
use attrib_std::interfaces::license_registry::{DatasetResponse, LicenseRegistry, VersionResponse};
use attrib_std::registry::{ContributorWeight, LicenseCheckResponse, VerificationTier};
use cosmwasm_std::{coin, Binary, QueryRequest, StdError, Uint128, WasmQuery};
use sylvia::types::Remote;

use super::suite::*;
use attrib_registry::contract::sv::mt::RegistryContractProxy;
use attrib_registry::error::ContractError;

#[test]
fn the_oracle_reads_licenses_royalties_canaries_and_sealed_versions() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let dataset = suite.register_dataset(VerificationTier::Optimistic);
    let t = suite
        .register_tranche(&a.alice, dataset, 1, 1_200)
        .tranche_id
        .unwrap();
    suite.advance(WINDOW + 1);
    suite.registry().accept_unchallenged(t).call(&a.stranger).unwrap();
    suite.seal(dataset, vec![t]).unwrap();
    suite
        .buy_license(&a.devshop, dataset, 1, coin(LICENSE_PRICE, DENOM))
        .unwrap();
    let expires_at = suite.now() + LICENSE_SECS;

    let remote = Remote::<dyn LicenseRegistry<Error = StdError>>::new(suite.registry.clone());
    let querier = suite.app.querier();
    let registry = remote.querier(&querier);

    // The license check: the buyer holds one until it expires, a stranger none.
    assert_eq!(
        registry
            .has_valid_license(a.devshop.to_string(), dataset, 1)
            .unwrap(),
        LicenseCheckResponse {
            valid: true,
            expires_at: Some(expires_at),
        }
    );
    assert_eq!(
        registry
            .has_valid_license(a.stranger.to_string(), dataset, 1)
            .unwrap(),
        LicenseCheckResponse {
            valid: false,
            expires_at: None,
        }
    );

    // The terms' royalty per unit and the canary commitments.
    let d = registry.dataset(dataset).unwrap().dataset;
    assert_eq!(d.id, dataset);
    assert_eq!(d.terms, default_terms());
    assert_eq!(d.terms.royalty_in(DENOM), Some(&coin(1, DENOM)));
    assert_eq!(d.canaries, vec![root(0xC1)]);

    // The sealed version; a version never sealed and an unknown dataset are errors.
    let v = registry.version(dataset, 1).unwrap();
    assert_eq!(
        (v.version.dataset_id, v.version.version, v.version.parent),
        (dataset, 1, None)
    );
    assert_eq!(v.version.tranche_ids, vec![t]);
    assert_eq!(v.version.total_weight, Uint128::new(1_200));
    assert_eq!(
        v.weights,
        vec![ContributorWeight {
            contributor: a.alice.to_string(),
            weight: Uint128::new(1_200),
        }]
    );
    let err = registry.version(dataset, 2).unwrap_err().to_string();
    let expected = ContractError::VersionNotFound {
        dataset_id: dataset,
        version: 2,
    };
    assert!(err.contains(&expected.to_string()), "{err}");
    let err = registry.dataset(dataset + 1).unwrap_err().to_string();
    let expected = ContractError::DatasetNotFound { id: dataset + 1 };
    assert!(err.contains(&expected.to_string()), "{err}");

    // The JSON clients send (unchanged by the move into the interface) gets the same answers.
    let smart = |json: String| -> QueryRequest {
        QueryRequest::Wasm(WasmQuery::Smart {
            contract_addr: suite.registry.to_string(),
            msg: Binary::from(json.into_bytes()),
        })
    };
    let check: LicenseCheckResponse = querier
        .query(&smart(format!(
            r#"{{"has_valid_license":{{"licensee":"{}","dataset_id":{dataset},"version":1}}}}"#,
            a.devshop
        )))
        .unwrap();
    assert!(check.valid);
    let raw: DatasetResponse = querier
        .query(&smart(format!(r#"{{"dataset":{{"dataset_id":{dataset}}}}}"#)))
        .unwrap();
    assert_eq!(raw.dataset, d);
    let raw: VersionResponse = querier
        .query(&smart(format!(
            r#"{{"version":{{"dataset_id":{dataset},"version":1}}}}"#
        )))
        .unwrap();
    assert_eq!(raw, v);

    // Past its expiry the license no longer counts.
    suite.advance(LICENSE_SECS);
    let querier = suite.app.querier();
    assert_eq!(
        remote
            .querier(&querier)
            .has_valid_license(a.devshop.to_string(), dataset, 1)
            .unwrap(),
        LicenseCheckResponse {
            valid: false,
            expires_at: Some(expires_at),
        }
    );
}
