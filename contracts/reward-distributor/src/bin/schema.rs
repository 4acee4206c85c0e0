use attrib_reward_distributor::contract::sv::{
    ContractExecMsg, ContractQueryMsg, InstantiateMsg, MigrateMsg,
};
use cosmwasm_schema::write_api;

fn main() {
    write_api! {
        instantiate: InstantiateMsg,
        execute: ContractExecMsg,
        query: ContractQueryMsg,
        migrate: MigrateMsg,
    }
}
