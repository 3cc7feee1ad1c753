//! Village lists: codes kept across imports, names normalised, rows refused with their line.

use pretty_assertions::assert_eq;

use super::*;

#[tokio::test]
async fn villages_keep_their_generated_codes_across_reimports() {
    let (_dir, store) = store_with_tu_ky().await;
    let file = "commune_code,name\n11083,Thôn An Nhân\n11083,Khu dân cư số 1\n\
                11086,Tổ dân phố 2\n11083,Thôn Bình\n";
    let first = villages(&store, file).await;
    let expected = ["11083-01", "11083-02", "11086-01", "11083-03"];
    assert_eq!(codes(&first), expected);
    assert!(first.villages.iter().all(|v| v.generated_code));
    assert_eq!((first.inserted, first.updated, first.unchanged), (4, 0, 0));
    let kinds: Vec<String> = store
        .children(Some(DAI_SON))
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.kind)
        .collect();
    assert_eq!(kinds, ["thôn", "khu dân cư", "thôn"]);
    assert_eq!(
        store.unit("11086-01").await.unwrap().unwrap().kind,
        "tổ dân phố"
    );

    let again = villages(&store, file).await;
    assert_eq!(codes(&again), expected);
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 4));

    let grown = villages(&store, &format!("{file}11083,Thôn Mới\n")).await;
    assert_eq!(codes(&grown)[4], "11083-04");
    assert_eq!((grown.inserted, grown.updated, grown.unchanged), (1, 0, 4));
}

#[tokio::test]
async fn nfd_village_names_are_stored_as_nfc_and_matched_on_reimport() {
    let (_dir, store) = store_with_tu_ky().await;
    let nfd = "commune_code,name\n11083,Tho\u{302}n  Hoa\u{300} Bi\u{300}nh\n";
    let first = villages(&store, nfd).await;
    let stored = store.unit("11083-01").await.unwrap().unwrap();
    assert_eq!(stored.name, "Thôn Hoà Bình");
    assert_eq!(first.villages[0].name, "Thôn Hoà Bình");

    let again = villages(&store, "commune_code,name\n11083,Thôn Hoà Bình\n").await;
    assert_eq!(codes(&again), ["11083-01"]);
    assert_eq!((again.inserted, again.unchanged), (0, 1));
    let respelled = villages(&store, "commune_code,name\n11083,thôn hòa bình\n").await;
    assert_eq!(codes(&respelled), ["11083-01"]);
    assert_eq!((respelled.updated, respelled.unchanged), (0, 1));
    assert_eq!(respelled.names_kept[0].file, "thôn hòa bình");
    let stored = store.unit("11083-01").await.unwrap().unwrap();
    assert_eq!(
        stored.name, "Thôn Hoà Bình",
        "a lowercase file does not rename"
    );
}

#[tokio::test]
async fn a_village_under_an_unknown_commune_or_a_district_is_refused_with_its_line() {
    let (_dir, store) = store_with_tu_ky().await;
    let file = "commune_code,name\n11083,Thôn Đông\n99999,Thôn Tây\n298,Thôn Nam\n";
    let error = import_villages(&store, file.as_bytes(), now())
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("line 3: commune 99999 does not exist"),
        "{message}"
    );
    assert!(message.contains("line 4: 298 is the district"), "{message}");
    assert_eq!(bad_lines(error), vec![3, 4]);
    assert_eq!(store.unit_count().await.unwrap(), 25);
}

#[tokio::test]
async fn written_codes_must_be_unique_and_stay_in_their_commune() {
    let (_dir, store) = store_with_tu_ky().await;
    villages(
        &store,
        "commune_code,name,code\n11083,Thôn Đông,11083-DS1\n",
    )
    .await;
    let file = "code,commune_code,name\n11083-DS1,11086,Thôn Đông\n11083-X1,11083,Thôn A\n\
                11083-X1,11083,Thôn B\n,11083,Thôn A\n";
    let error = import_villages(&store, file.as_bytes(), now())
        .await
        .unwrap_err();
    assert_eq!(bad_lines(error), vec![2, 4, 5]);
}

#[tokio::test]
async fn village_heads_are_checked_and_reported_but_not_stored() {
    let (_dir, store) = store_with_tu_ky().await;
    let bad = "commune_code,name,head_name,head_phone\n11083,Thôn Đông,Lê Văn Tám,0220 3852 123\n\
               11083,Thôn Tây,12345,\n";
    let error = import_villages(&store, bad.as_bytes(), now())
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("line 2: head_phone: a landline"),
        "{message}"
    );
    assert!(
        message.contains("line 3: head_name: a name is made of letters"),
        "{message}"
    );

    let good = "commune_code,name,head_name,head_phone\n11083,Thôn Đông,Lê Văn Tám,0912 345 678\n";
    let village = villages(&store, good).await.villages.remove(0);
    assert_eq!(village.head_name.as_deref(), Some("Lê Văn Tám"));
    assert_eq!(village.head_phone.as_deref(), Some("+84912345678"));
}

#[tokio::test]
async fn an_unknown_column_or_a_row_of_broken_text_is_refused_with_its_line() {
    let (_dir, store) = store_with_tu_ky().await;
    let misspelt = "commune_code,name,head_phon\n11083,Thôn Đông,0912345678\n";
    let error = import_villages(&store, misspelt.as_bytes(), now())
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("line 1: unknown column \"head_phon\""),
        "{error}"
    );
    let mut broken = b"commune_code,name\n11083,Th\xF4n\n".to_vec();
    broken.extend_from_slice("11083,Thôn Tây\n11083,Thôn Tây\n".as_bytes());
    let error = import_villages(&store, &broken[..], now())
        .await
        .unwrap_err();
    assert_eq!(bad_lines(error), vec![2, 4]);
}
