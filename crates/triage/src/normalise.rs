//! Text normalisation: the one definition of "the same text" shared by indexing, querying and
//! classification.
//!
//! Citizens type on phones with full-width input methods, paste from Hong Kong or Taiwan
//! sources, and write their phone number into the description. The index and the classifier
//! must not care about any of that, and personal numbers must not end up as search tokens.

use std::collections::HashMap;
use std::sync::LazyLock;

/// What a phone number (mobile or landline) is replaced with.
pub const PHONE_MASK: &str = "<电话>";
/// What an 18-character resident identity card number is replaced with.
pub const ID_MASK: &str = "<证件>";

/// Normalise free text for search and classification.
///
/// - full-width ASCII (`ＡＢＣ１２３，？`) becomes half-width, the ideographic space a space;
/// - runs of whitespace collapse to one space and the ends are trimmed; control and zero-width
///   characters are dropped;
/// - letters are lowercased;
/// - common traditional characters become their simplified form (`噪聲` → `噪声`);
/// - mobile numbers (`1[3-9]` + 9 digits, optionally `+86`, `138-1234-5678`), landlines with an
///   area code (`0571-87654321`, `(010)12345678`) become [`PHONE_MASK`], 18-character identity
///   numbers become [`ID_MASK`]. Digits that merely sit next to such a number (a longer run) are
///   left alone, so order and account numbers are not half-masked.
///
/// The function is idempotent: `normalise(&normalise(s)) == normalise(s)`.
pub fn normalise(text: &str) -> String {
    let mut chars: Vec<char> = Vec::with_capacity(text.len());
    let mut pending_space = false;
    for raw in text.chars() {
        let c = fold_char(raw);
        if c.is_whitespace() {
            pending_space = !chars.is_empty();
            continue;
        }
        if c.is_control() || is_invisible(c) {
            continue;
        }
        if pending_space {
            chars.push(' ');
            pending_space = false;
        }
        if c.is_uppercase() {
            chars.extend(c.to_lowercase());
        } else {
            chars.push(c);
        }
    }
    mask_numbers(&chars)
}

/// Width and script folding of a single character.
fn fold_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' => {
            TRAD_TO_SIMP.get(&c).copied().unwrap_or(c)
        }
        _ => c,
    }
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

fn mask_numbers(chars: &[char]) -> String {
    let mut out = String::with_capacity(chars.len() * 3);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at_start = i == 0 || !chars[i - 1].is_ascii_digit();
        if at_start && (c.is_ascii_digit() || c == '+' || c == '(') {
            if let Some(n) = match_id(chars, i) {
                out.push_str(ID_MASK);
                i += n;
                continue;
            }
            if let Some(n) = match_mobile(chars, i).or_else(|| match_landline(chars, i)) {
                out.push_str(PHONE_MASK);
                i += n;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

fn digit_at(chars: &[char], i: usize) -> bool {
    chars.get(i).is_some_and(char::is_ascii_digit)
}

/// True when position `i` does not continue a digit run.
fn ends_run(chars: &[char], i: usize) -> bool {
    !digit_at(chars, i)
}

/// Reads `n` digits from `i`; returns the position after them.
fn digits(chars: &[char], i: usize, n: usize) -> Option<usize> {
    (i..i + n).all(|k| digit_at(chars, k)).then_some(i + n)
}

/// Skips one optional separator (`-` or space) if a digit follows it.
fn separator(chars: &[char], i: usize) -> usize {
    match chars.get(i) {
        Some('-' | ' ') if digit_at(chars, i + 1) => i + 1,
        _ => i,
    }
}

/// 18-character resident identity number: 17 digits (first non-zero) and a digit or `x`.
fn match_id(chars: &[char], i: usize) -> Option<usize> {
    if !matches!(chars.get(i), Some('1'..='9')) {
        return None;
    }
    let j = digits(chars, i, 17)?;
    match chars.get(j) {
        Some(c) if c.is_ascii_digit() || *c == 'x' || *c == 'X' => {}
        _ => return None,
    }
    let end = j + 1;
    let letter_follows = chars.get(end).is_some_and(char::is_ascii_alphanumeric);
    (!letter_follows).then_some(end - i)
}

/// Mobile number `1[3-9]xxxxxxxxx`, optionally prefixed `+86`/`86` and grouped 3-4-4.
fn match_mobile(chars: &[char], i: usize) -> Option<usize> {
    let mut starts = Vec::with_capacity(2);
    if chars.get(i) == Some(&'+') {
        if chars.get(i + 1) == Some(&'8') && chars.get(i + 2) == Some(&'6') {
            starts.push(separator(chars, i + 3));
        }
    } else {
        starts.push(i);
        if chars.get(i) == Some(&'8') && chars.get(i + 1) == Some(&'6') {
            starts.push(separator(chars, i + 2));
        }
    }
    starts.into_iter().find_map(|s| {
        if chars.get(s) != Some(&'1') || !matches!(chars.get(s + 1), Some('3'..='9')) {
            return None;
        }
        let j = digits(chars, s, 3)?;
        let j = digits(chars, separator(chars, j), 4)?;
        let j = digits(chars, separator(chars, j), 4)?;
        ends_run(chars, j).then_some(j - i)
    })
}

/// Landline with area code: `0` + 2 or 3 digits (`010`, `021`, `0571`), optionally in
/// parentheses or followed by `-`/space, then a 7- or 8-digit subscriber number.
fn match_landline(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    let paren = chars.get(j) == Some(&'(');
    if paren {
        j += 1;
    }
    if chars.get(j) != Some(&'0') {
        return None;
    }
    let area_len = if matches!(chars.get(j + 1), Some('1' | '2')) {
        3
    } else {
        4
    };
    j = digits(chars, j, area_len)?;
    if paren {
        if chars.get(j) != Some(&')') {
            return None;
        }
        j += 1;
    }
    j = separator(chars, j);
    if !matches!(chars.get(j), Some('2'..='9')) {
        return None;
    }
    let seven = digits(chars, j, 7)?;
    let end = if digit_at(chars, seven) {
        seven + 1
    } else {
        seven
    };
    ends_run(chars, end).then_some(end - i)
}

/// Traditional → simplified pairs for the characters that occur in everyday complaints.
///
/// Only characters that are *not* in use in simplified text are keys (乾, 著, 藉, 瞭 … are left
/// alone because simplified text uses them too), so converting already simplified text is a
/// no-op. Each pair is two characters: the traditional form, then the simplified one.
const TRAD_SIMP_PAIRS: &str = "\
萬万與与醜丑專专業业叢丛東东絲丝兩两嚴严喪丧個个豐丰臨临為为麗丽舉举麼么義义烏乌樂乐喬乔習习\
鄉乡書书買买亂乱爭争於于虧亏雲云亞亚產产畝亩親亲億亿僅仅從从倉仓儀仪們们價价眾众衆众優优會会\
傘伞偉伟傳传傷伤倫伦偽伪體体餘余傭佣俠侠侶侣偵侦側侧僑侨債债傾倾償偿儲储倆俩儉俭僱雇儘尽\
計计訂订認认討讨讓让訓训議议訊讯記记講讲設设訪访證证評评識识詐诈訴诉診诊詞词譯译試试詩诗\
誠诚話话誕诞詢询該该詳详誤误說说請请諸诸諾诺讀读課课誰谁調调談谈誼谊謀谋謊谎謝谢謠谣謙谦\
謹谨譜谱護护譽誉變变讚赞論论訟讼諮咨託托許许諒谅謂谓諧谐誇夸誌志謎谜諷讽謬谬譴谴誡诫糾纠\
錢钱鐵铁銀银鋼钢鎖锁鏈链鐘钟鍾钟錯错鍋锅錄录鑰钥針针釘钉鈕钮鈔钞銷销鋪铺舖铺鏡镜鑑鉴鑒鉴\
鍵键鍛锻銳锐鋁铝錶表鑽钻鑄铸鎮镇錦锦銅铜鉛铅鈴铃鋸锯鋒锋鍊炼錫锡鍍镀鏟铲鑼锣鈍钝\
門门閃闪閉闭問问閒闲閑闲間间閘闸開开閱阅闊阔關关闖闯闆板閣阁闡阐闢辟閥阀閨闺\
車车軍军軌轨軟软轉转輪轮較较載载輕轻輛辆輸输輔辅轄辖轎轿輯辑轟轰輩辈軋轧陣阵連连運运軸轴\
輿舆轍辙\
貝贝負负財财貢贡責责貨货販贩貧贫購购貴贵費费貸贷貿贸資资賣卖賠赔賬账賭赌賺赚賽赛贈赠贊赞\
質质賓宾賞赏賴赖贏赢賄贿賂赂賦赋賤贱貪贪賃赁賜赐賢贤贓赃贖赎賊贼\
紅红約约級级紀纪純纯紙纸納纳紛纷組组細细終终結结給给絡络統统絕绝經经綠绿維维網网綜综緊紧\
練练線线縣县編编緣缘總总績绩繼继續续織织繳缴紮扎縮缩繩绳纏缠縫缝繫系係系緩缓紋纹絨绒綁绑\
綱纲緒绪締缔緯纬繪绘繡绣纖纤紹绍縱纵\
飯饭飲饮餓饿館馆餅饼飽饱飼饲養养饋馈餃饺餵喂飢饥饑饥\
馬马駕驾騎骑驗验驚惊騙骗驅驱駛驶騷骚驟骤馳驰駁驳駐驻駭骇騰腾驢驴驕骄\
魚鱼鮮鲜鯉鲤鯨鲸鳥鸟雞鸡鴨鸭鵝鹅鴿鸽鵲鹊鶴鹤鷹鹰鳳凤鴻鸿\
頁页順顺須须預预領领頭头題题額额顧顾類类顯显願愿項项頓顿頻频顏颜頸颈顆颗頌颂頒颁頗颇顛颠\
見见規规視视覺觉觀观覽览覓觅風风飄飘颳刮颱台\
區区處处報报環环樓楼聲声違违電电發发髮发這这對对時时來来務务\
國国學学長长衛卫鄰邻鬧闹氣气燈灯爐炉熱热煙烟燒烧爛烂燦灿點点黨党\
廣广廠厂廳厅庫库應应廢废際际陽阳陰阴隊队險险隨随階阶陳陈陸陆隱隐\
壞坏場场塊块壓压墳坟牆墙墻墙壩坝塵尘墊垫壇坛罈坛壯壮壽寿\
遠远還还進进過过達达邊边適适選选遞递遲迟遺遗遷迁遼辽導导遙遥遜逊週周遊游\
蘇苏藥药藝艺節节範范築筑簡简籃篮籌筹簽签籤签簾帘籠笼筆笔\
樹树機机權权標标極极構构樣样檢检橋桥欄栏檔档棟栋樁桩榮荣槍枪櫃柜條条橫横櫥橱樞枢\
漢汉滿满潔洁濕湿灣湾測测淺浅濟济漲涨滅灭澤泽瀉泻濁浊溝沟滬沪濱滨灑洒灘滩潤润濫滥瀏浏\
漁渔潛潜淚泪決决沒没況况淨净涼凉減减凍冻汙污汚污瀋沈\
愛爱態态憂忧懷怀懶懒戀恋慶庆憐怜憑凭恥耻惡恶噁恶\
擾扰據据擔担掃扫撥拨擁拥擋挡擇择換换擊击擠挤揚扬搶抢攜携撿捡攤摊撐撑擴扩損损撈捞擬拟\
擺摆攔拦拋抛掛挂搖摇摟搂捨舍執执\
幣币師师帳帐帶带幫帮歲岁歷历曆历\
號号嗎吗嚇吓嘆叹啟启員员單单喚唤嘗尝嚨咙響响鳴鸣\
圖图團团糰团園园圍围婦妇媽妈嬰婴孫孙寧宁實实寶宝審审寫写寬宽將将尋寻屬属層层屆届屍尸\
歸归當当彙汇徑径後后徹彻戰战戲戏斷断晝昼曉晓暈晕曬晒暫暂曠旷\
殺杀殼壳殘残殯殡無无煩烦燙烫營营爺爷爾尔狀状獨独獄狱獎奖獵猎猶犹狹狭獲获穫获\
現现畫画畢毕異异瘋疯療疗癥症瘓痪癱瘫癒愈盜盗盡尽監监盤盘盞盏睏困\
礎础確确礙碍礦矿碼码禮礼禍祸祿禄離离種种稱称積积穩稳稅税穀谷\
窮穷竊窃窩窝竄窜糧粮罰罚罷罢罵骂羅罗\
聯联聽听聖圣職职聞闻聰聪聳耸肅肃脅胁腳脚膠胶腦脑膽胆臉脸膚肤腫肿髒脏臟脏膩腻膿脓\
興兴舊旧艱艰艦舰艙舱\
莊庄葉叶蓋盖蔥葱蘭兰藍蓝薦荐蒼苍蓮莲蔣蒋薑姜蘿萝蘋苹\
蟲虫蝦虾蟻蚁蠅蝇蠶蚕補补裝装製制複复復复襯衬褲裤襪袜裡里裏里\
豬猪貓猫豎竖豈岂趕赶趙赵趨趋躍跃踐践蹤踪跡迹蹟迹踴踊軀躯\
辦办辭辞辯辩農农鄭郑鄧邓郵邮醫医醬酱釀酿醞酝釋释\
隸隶雖虽雙双雜杂難难雛雏靈灵霧雾靜静韓韩韋韦韻韵飛飞\
麥麦黃黄齊齐齒齿齡龄龍龙龐庞龜龟龔龚鹽盐鹼碱麵面麪面鬆松鬥斗鬍胡黴霉\
兒儿兇凶凱凯劃划劇剧劉刘則则剛刚創创劑剂勞劳勢势勵励動动勝胜協协卻却厭厌參参\
衝冲沖冲夠够奪夺奮奋妝妆準准禦御鬱郁彎弯戶户犧牺獻献瑣琐皺皱穌稣筍笋訝讶詠咏\
佔占傢家幹干徵征祕秘臺台檯台隻只齣出骯肮\
";

static TRAD_TO_SIMP: LazyLock<HashMap<char, char>> = LazyLock::new(|| {
    let chars: Vec<char> = TRAD_SIMP_PAIRS.chars().collect();
    chars.chunks_exact(2).map(|p| (p[0], p[1])).collect()
});

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_whitespace() {
        assert_eq!(normalise("ＡＢＣ　１２３，ｘｙｚ？"), "abc 123,xyz?");
        assert_eq!(
            normalise("  小区\t\n门口  有人\u{3000}\u{3000}摆摊 "),
            "小区 门口 有人 摆摊"
        );
        assert_eq!(normalise("KTV 噪音\u{200B}"), "ktv 噪音");
        assert_eq!(normalise(""), "");
        assert_eq!(normalise(" \u{3000} "), "");
    }

    #[test]
    fn traditional_to_simplified() {
        assert_eq!(normalise("噪聲擾民"), "噪声扰民");
        assert_eq!(normalise("違章搭建"), "违章搭建");
        assert_eq!(
            normalise("樓上電梯壞了，這個門開不了"),
            "楼上电梯坏了,这个门开不了"
        );
        assert_eq!(normalise("佔道經營"), "占道经营");
        assert_eq!(
            normalise("垃圾車來了們對時會區處關業務報環錢發"),
            "垃圾车来了们对时会区处关业务报环钱发"
        );
        // simplified text and characters shared by both scripts are untouched
        assert_eq!(normalise("著名的乾坤之中"), "著名的乾坤之中");
    }

    #[test]
    fn table_is_well_formed() {
        let chars: Vec<char> = TRAD_SIMP_PAIRS.chars().collect();
        assert_eq!(chars.len() % 2, 0, "odd number of characters in the table");
        let mut seen = std::collections::HashSet::new();
        for pair in chars.chunks_exact(2) {
            assert!(
                seen.insert(pair[0]) || TRAD_TO_SIMP[&pair[0]] == pair[1],
                "{} twice",
                pair[0]
            );
        }
        assert!(
            TRAD_TO_SIMP.len() > 600,
            "table has {} entries",
            TRAD_TO_SIMP.len()
        );
        for (t, s) in TRAD_TO_SIMP.iter() {
            assert!(
                !TRAD_TO_SIMP.contains_key(s),
                "{t}→{s} but {s} is itself a key"
            );
        }
    }

    #[test]
    fn masks_mobiles() {
        assert_eq!(
            normalise("我的电话13812345678，谢谢"),
            "我的电话<电话>,谢谢"
        );
        assert_eq!(normalise("电话：１３８１２３４５６７８"), "电话:<电话>");
        assert_eq!(normalise("+86 138-1234-5678"), "<电话>");
        assert_eq!(normalise("8613812345678"), "<电话>");
        assert_eq!(normalise("tel 138 1234 5678 找我"), "tel <电话> 找我");
        // 12 digits: not a mobile
        assert_eq!(normalise("订单138123456789"), "订单138123456789");
        // 12 prefix is not a mobile range
        assert_eq!(normalise("12012345678"), "12012345678");
        // hotlines stay
        assert_eq!(normalise("打了12345和110"), "打了12345和110");
    }

    #[test]
    fn masks_landlines() {
        assert_eq!(normalise("座机0571-87654321"), "座机<电话>");
        assert_eq!(normalise("(010)62345678"), "<电话>");
        assert_eq!(normalise("电话021 6123456"), "电话<电话>");
        assert_eq!(normalise("057187654321"), "<电话>");
        // an 8-digit local number without area code is left (too ambiguous: amounts, orders)
        assert_eq!(normalise("87654321"), "87654321");
    }

    #[test]
    fn masks_identity_numbers() {
        assert_eq!(
            normalise("身份证号33010619900101123X。"),
            "身份证号<证件>。"
        );
        assert_eq!(normalise("身份证330106199001011234"), "身份证<证件>");
        // 19 digits is something else
        assert_eq!(
            normalise("卡号3301061990010112345"),
            "卡号3301061990010112345"
        );
    }

    #[test]
    fn idempotent_on_generated_text() {
        // deterministic pseudo-random strings over a hostile alphabet
        let alphabet: Vec<char> =
            "０１２３４５６７８９0123456789+-() 　\tＡａB樓噪聲个門门xX，,。?？<>电话证件"
                .chars()
                .collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..5000 {
            let len = (state % 40) as usize;
            let mut s = String::new();
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            let once = normalise(&s);
            assert_eq!(normalise(&once), once, "not idempotent on {s:?}");
            assert!(!once.starts_with(' ') && !once.ends_with(' '));
            assert!(!once.contains("  "));
        }
    }
}
