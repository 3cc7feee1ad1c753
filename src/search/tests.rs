use std::time::{Duration, Instant};

use pretty_assertions::assert_eq;

use super::*;
use crate::storage::Unit;

const TU_KY: &str = "11074";
const DAI_SON: &str = "11083";
const HUNG_DAO: &str = "11086";
const TU_KY_DISTRICT: &str = "298";

fn unit(code: &str, name: &str, level: UnitLevel, parent: Option<&str>) -> Unit {
    Unit {
        code: code.to_owned(),
        name: name.to_owned(),
        kind: String::new(),
        level,
        parent_code: parent.map(str::to_owned),
        ended_on: None,
        merged_into: None,
        moved_from: None,
    }
}

/// Part of Tứ Kỳ district, with two "Thôn Đông" in different communes.
fn tu_ky() -> UnitIndex {
    use UnitLevel::*;
    UnitIndex::build(vec![
        unit("30", "Tỉnh Hải Dương", Province, None),
        unit(TU_KY_DISTRICT, "Huyện Tứ Kỳ", District, Some("30")),
        unit(TU_KY, "Thị trấn Tứ Kỳ", Commune, Some(TU_KY_DISTRICT)),
        unit(DAI_SON, "Xã Đại Sơn", Commune, Some(TU_KY_DISTRICT)),
        unit(HUNG_DAO, "Xã Hưng Đạo", Commune, Some(TU_KY_DISTRICT)),
        unit("11089", "Xã Ngọc Kỳ", Commune, Some(TU_KY_DISTRICT)),
        unit("11098", "Xã Tái Sơn", Commune, Some(TU_KY_DISTRICT)),
        unit("11119", "Xã Đại Hợp", Commune, Some(TU_KY_DISTRICT)),
        unit("11083-01", "Thôn Đông", Village, Some(DAI_SON)),
        unit("11083-02", "Thôn Hoà Bình", Village, Some(DAI_SON)),
        unit("11086-01", "Thôn Đông", Village, Some(HUNG_DAO)),
        unit("11086-02", "Thôn Đông Thuỷ", Village, Some(HUNG_DAO)),
        unit("11086-03", "Khu dân cư số 1", Village, Some(HUNG_DAO)),
    ])
}

fn codes(hits: &[SearchHit]) -> Vec<&str> {
    hits.iter().map(|hit| hit.code.as_str()).collect()
}

fn find(index: &UnitIndex, query: &str) -> Vec<SearchHit> {
    index.search(query, &[], 10)
}

#[test]
fn case_diacritics_and_normal_form_do_not_matter() {
    let index = tu_ky();
    let nfd = "T\u{1b0}\u{301} Ky\u{300}";
    for query in ["tu ky", "TỨ KỲ", "Tu Ky", "Tứ Kỳ", nfd, "  tứ   kỳ "] {
        assert_eq!(
            codes(&find(&index, query)),
            [TU_KY_DISTRICT, TU_KY],
            "{query:?}"
        );
    }
}

#[test]
fn either_tone_mark_placement_finds_the_name() {
    let index = tu_ky();
    for query in ["Hòa Bình", "Hoà Bình", "hoa binh", "Đông Thủy", "dong thuy"] {
        assert_eq!(find(&index, query).len(), 1, "{query:?}");
    }
}

#[test]
fn kind_words_are_ignored_in_the_query_and_in_names() {
    let index = tu_ky();
    for query in ["xã đại sơn", "Đại Sơn", "thi tran dai son"] {
        assert_eq!(codes(&find(&index, query))[0], DAI_SON, "{query:?}");
    }
    assert_eq!(codes(&find(&index, "khu dân cư số 1")), ["11086-03"]);
}

#[test]
fn the_kind_word_of_the_query_breaks_a_tie() {
    let index = tu_ky();
    assert_eq!(codes(&find(&index, "huyện tứ kỳ")), [TU_KY_DISTRICT, TU_KY]);
    assert_eq!(
        codes(&find(&index, "thị trấn tứ kỳ")),
        [TU_KY, TU_KY_DISTRICT]
    );
}

#[test]
fn one_typo_is_tolerated() {
    let index = tu_ky();
    for (query, code) in [
        ("dai snn", DAI_SON),
        ("hugn dao", HUNG_DAO),
        ("hung daoo", HUNG_DAO),
    ] {
        let hits = find(&index, query);
        assert_eq!(codes(&hits).first(), Some(&code), "{query:?}");
        assert!(hits[0].score >= 1000, "{query:?} is a typo match");
    }
}

#[test]
fn a_typo_in_the_kind_word_is_tolerated_too() {
    let index = tu_ky();
    let hits = find(&index, "tohn dong");
    assert_eq!(codes(&hits)[..2], ["11083-01", "11086-01"]);
    assert_eq!(hits[0].score, 1000);
    assert_eq!(find(&index, "tohn dnog"), [], "two typos");
}

#[test]
fn two_typos_or_a_typo_in_a_short_lone_word_find_nothing() {
    let index = tu_ky();
    assert_eq!(find(&index, "hugn daoo"), []);
    assert_eq!(find(&index, "snn"), []);
}

#[test]
fn two_villages_of_the_same_name_come_with_their_communes() {
    let index = tu_ky();
    let hits = index.search("thôn đông", &[UnitLevel::Village], 2);
    let found: Vec<(&str, Option<&str>)> = hits
        .iter()
        .map(|hit| (hit.code.as_str(), hit.parent_name.as_deref()))
        .collect();
    assert_eq!(
        found,
        [
            ("11083-01", Some("Xã Đại Sơn")),
            ("11086-01", Some("Xã Hưng Đạo"))
        ]
    );
}

#[test]
fn exact_names_come_before_prefixes_before_other_places_of_the_words_before_typos() {
    let index = tu_ky();
    let hits = find(&index, "dong");
    let found: Vec<(&str, u32)> = hits.iter().map(|h| (h.code.as_str(), h.score)).collect();
    assert_eq!(
        found,
        [
            ("11083-01", 0),
            ("11086-01", 0),
            ("11086-02", 110),
            ("30", 1210)
        ],
        "Thôn Đông, Thôn Đông, Thôn Đông Thuỷ, then Hải Dương (Dương is one edit from dong)"
    );
    let hits = index.search("dong", &[], 3);
    assert!(
        hits.iter().all(|hit| hit.score < 1000),
        "typos only to fill the list"
    );
    let hits = find(&index, "dai");
    assert_eq!(codes(&hits), [DAI_SON, "11119"]);
    let hits = find(&index, "son");
    assert_eq!(
        codes(&hits),
        [DAI_SON, "11098"],
        "Đại Sơn, Tái Sơn: by code"
    );
    assert!(hits.iter().all(|hit| hit.score == 210));
    let hits = index.search("son", &[], 1);
    assert_eq!(codes(&hits), [DAI_SON]);
}

#[test]
fn a_typo_match_ranks_after_an_exact_one() {
    let index = tu_ky();
    let hits = find(&index, "dai hop");
    assert_eq!(codes(&hits), ["11119"]);
    let hits = find(&index, "dai hp");
    assert!(hits.is_empty(), "a two-letter word carries no typo");
    let hits = find(&index, "tai son");
    assert_eq!(hits[0].code, "11098");
    assert_eq!(hits[0].score, 0);
}

#[test]
fn an_unbounded_limit_gives_every_match() {
    let index = tu_ky();
    let hits = index.search("thon dong", &[], usize::MAX);
    assert_eq!(codes(&hits), ["11083-01", "11086-01", "11086-02", "30"]);
}

#[test]
fn the_index_reports_its_size() {
    let bytes = tu_ky().approximate_bytes();
    assert!((1_000..1_000_000).contains(&bytes), "{bytes}");
}

#[test]
fn levels_restrict_the_search() {
    let index = tu_ky();
    let hits = index.search("tu ky", &[UnitLevel::Commune], 10);
    assert_eq!(codes(&hits), [TU_KY]);
}

#[test]
fn a_name_matching_nothing_finds_nothing() {
    let index = tu_ky();
    assert_eq!(find(&index, "Hoàn Kiếm"), []);
    assert_eq!(find(&index, "xã"), []);
}

#[test]
fn an_empty_query_finds_nothing() {
    let index = tu_ky();
    for query in ["", "   ", "!!!", "\u{301}"] {
        assert_eq!(find(&index, query), [], "{query:?}");
    }
    assert_eq!(index.search("tu ky", &[], 0), []);
}

#[test]
fn a_ten_thousand_character_query_returns_quickly_without_panicking() {
    let index = tu_ky();
    let long = "Đại Sơn ".repeat(1250);
    let started = Instant::now();
    let hits = find(&index, &long);
    assert!(started.elapsed() < Duration::from_millis(50));
    assert!(hits.len() <= 10);
    let garbage: String = "ăâđêôơư1!".chars().cycle().take(10_000).collect();
    assert_eq!(find(&index, &garbage), []);
}

#[test]
fn upsert_renames_and_remove_forgets() {
    let mut index = tu_ky();
    index.upsert(unit(
        DAI_SON,
        "Xã Đại Sơn Mới",
        UnitLevel::Commune,
        Some(TU_KY_DISTRICT),
    ));
    assert_eq!(find(&index, "dai son")[0].score, 110);
    index.remove(DAI_SON);
    assert_eq!(
        codes(&find(&index, "dai son")),
        ["11098"],
        "Tái Sơn, one typo away"
    );
    let villages = index.search("dong", &[UnitLevel::Village], 10);
    assert_eq!(villages[0].parent_name, None, "the commune is gone");
    assert_eq!(index.len(), 12);
}

#[test]
fn children_walk_the_tree_by_code() {
    let index = tu_ky();
    assert_eq!(codes(&index.children(None)), ["30"]);
    let villages = index.children(Some(HUNG_DAO));
    assert_eq!(codes(&villages), ["11086-01", "11086-02", "11086-03"]);
    assert_eq!(villages[0].parent_name.as_deref(), Some("Xã Hưng Đạo"));
    assert_eq!(index.children(Some("nowhere")), []);
}

#[test]
fn two_words_typed_without_a_space_are_found() {
    let index = tu_ky();
    assert_eq!(codes(&find(&index, "daison")), [DAI_SON]);
    assert_eq!(codes(&find(&index, "dongthuy")), ["11086-02"]);
    assert_eq!(codes(&find(&index, "thon dongth")), ["11086-02"]);
    assert!(find(&index, "zzzzzz").is_empty());
}
