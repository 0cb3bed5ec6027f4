use hamilton_core::node;

#[node]
fn spend() -> f64 {
    1.0
}

#[node(wired(except(region)))]
fn spend_per_region(spend: &f64, regions: &i64) -> f64 {
    spend / *regions as f64
}

#[node(wired(except(regions, regions)))]
fn listed_twice(spend: &f64, regions: &i64) -> f64 {
    spend / *regions as f64
}

#[node(wired, wired)]
fn wired_twice(spend: &f64) -> f64 {
    *spend
}

#[node(wired(only(spend)))]
fn not_except(spend: &f64) -> f64 {
    *spend
}

fn main() {}
