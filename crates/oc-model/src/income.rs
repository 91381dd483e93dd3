//! Income and poverty per commune (Insee, Filosofi): what the file
//! publishes, with statistical secrecy kept as such — a withheld value is
//! [`Published::Secret`], never 0 nor "not available".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A published figure, or one withheld for statistical secrecy (`s`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Published {
    Value(f64),
    Secret,
}

impl Published {
    /// The value, if published.
    pub fn value(self) -> Option<f64> {
        match self {
            Published::Value(v) => Some(v),
            Published::Secret => None,
        }
    }
}

/// The Filosofi figures of one commune; `None`: the file has no cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Income {
    /// Tax households (`NBMENFISC`).
    pub households: Option<Published>,
    /// People in tax households (`NBPERSMENFISC`).
    pub persons: Option<Published>,
    /// Median disposable income per consumption unit, € (`MED`).
    pub median: Option<Published>,
    /// Share of tax households that pay income tax, % (`PIMP`).
    pub taxed_share: Option<Published>,
    /// Poverty rate at 60 % of the national median, % (`TP60`).
    pub poverty_rate: Option<Published>,
    /// First and ninth deciles, € (`D1`, `D9`), and their ratio (`RD`).
    pub d1: Option<Published>,
    pub d9: Option<Published>,
    pub decile_ratio: Option<Published>,
    /// Composition of disposable income, % (the `P…` columns: activity,
    /// wages, unemployment benefits, non-wage income, pensions, property
    /// income, social benefits, family, minimum incomes, housing, taxes).
    pub composition: BTreeMap<String, Published>,
}

/// Filosofi for every commune of the file, by INSEE code.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IncomeData {
    /// Where it was read and its vintage (`revenus 2021, géographie 2024`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<crate::SourceInfo>,
    /// The year of the incomes (`2021` for `MED21`).
    pub year: u16,
    pub communes: BTreeMap<String, Income>,
}
