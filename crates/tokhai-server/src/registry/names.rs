//! Word lists of the synthetic registry: Vietnamese names, ethnicities, religions, streets.

/// Surnames with rough shares in the population (per mille).
pub const SURNAMES: &[(&str, u32)] = &[
    ("NGUYỄN", 380),
    ("TRẦN", 110),
    ("LÊ", 95),
    ("PHẠM", 70),
    ("HOÀNG", 30),
    ("HUỲNH", 20),
    ("PHAN", 45),
    ("VŨ", 22),
    ("VÕ", 17),
    ("ĐẶNG", 21),
    ("BÙI", 20),
    ("ĐỖ", 14),
    ("HỒ", 13),
    ("NGÔ", 13),
    ("DƯƠNG", 10),
    ("LÝ", 5),
    ("ĐINH", 8),
    ("TRƯƠNG", 8),
    ("ĐÀO", 6),
    ("ĐOÀN", 6),
    ("LƯƠNG", 5),
    ("TRỊNH", 5),
    ("MAI", 4),
    ("CAO", 4),
    ("LÂM", 4),
    ("TÔ", 3),
    ("HÀ", 4),
    ("LA", 2),
    ("TẠ", 2),
    ("CHU", 2),
];

/// Middle names given to men.
pub const MIDDLE_MALE: &[&str] = &[
    "VĂN", "VĂN", "VĂN", "ĐỨC", "MINH", "QUANG", "HỮU", "CÔNG", "THÀNH", "XUÂN", "HOÀNG", "NGỌC", "THANH", "TUẤN",
    "ANH", "GIA", "TRUNG", "QUỐC", "ĐÌNH", "MẠNH",
];

/// Middle names given to women.
pub const MIDDLE_FEMALE: &[&str] = &[
    "THỊ", "THỊ", "THỊ", "THU", "NGỌC", "THANH", "MINH", "BÍCH", "KIM", "THÙY", "PHƯƠNG", "HỒNG", "MAI", "HOÀI",
    "KHÁNH", "BẢO", "DIỄM", "QUỲNH",
];

/// Given names of men.
pub const GIVEN_MALE: &[&str] = &[
    "AN", "BÌNH", "CƯỜNG", "DŨNG", "ĐỨC", "HẢI", "HÙNG", "HUY", "KHANG", "KHÁNH", "LONG", "MINH", "NAM", "PHONG",
    "PHÚC", "QUÂN", "SƠN", "TÀI", "THẮNG", "TRUNG", "TUẤN", "VIỆT", "VINH", "BẢO", "DUY", "HIẾU", "HOÀNG", "KIÊN",
    "LỢI", "NGHĨA", "QUANG", "THÀNH", "TIẾN", "TOÀN", "TRÍ", "TÙNG",
];

/// Given names of women.
pub const GIVEN_FEMALE: &[&str] = &[
    "ANH", "CHI", "DUNG", "HÀ", "HẠNH", "HẰNG", "HOA", "HƯƠNG", "LAN", "LINH", "MAI", "NGÂN", "NGỌC", "NHUNG", "OANH",
    "PHƯƠNG", "QUỲNH", "THẢO", "TRANG", "UYÊN", "VÂN", "YẾN", "HUYỀN", "LOAN", "LY", "MY", "NGA", "NHI", "THU", "THỦY",
    "TRÂM", "VY", "XUÂN", "HIỀN",
];

/// Ethnic groups (code, name, per-mille share).
pub const ETHNICITIES: &[(&str, &str, u32)] = &[
    ("01", "Kinh", 853),
    ("02", "Tày", 19),
    ("03", "Thái", 18),
    ("04", "Hoa", 8),
    ("05", "Khơ-me", 14),
    ("06", "Mường", 15),
    ("07", "Nùng", 11),
    ("08", "H'Mông", 15),
    ("09", "Dao", 9),
    ("10", "Gia-rai", 4),
    ("11", "Ê-đê", 4),
    ("12", "Ba-na", 3),
];

/// Religions (code, name, per-mille share).
pub const RELIGIONS: &[(&str, &str, u32)] = &[
    ("00", "Không", 820),
    ("01", "Phật giáo", 80),
    ("02", "Công giáo", 70),
    ("03", "Cao Đài", 10),
    ("04", "Phật giáo Hòa Hảo", 12),
    ("05", "Tin Lành", 8),
];

/// Street names for wards.
pub const STREETS: &[&str] = &[
    "LÊ LỢI",
    "TRẦN HƯNG ĐẠO",
    "NGUYỄN TRÃI",
    "HAI BÀ TRƯNG",
    "LÝ THƯỜNG KIỆT",
    "HÙNG VƯƠNG",
    "QUANG TRUNG",
    "PHAN ĐÌNH PHÙNG",
    "LÊ DUẨN",
    "ĐIỆN BIÊN PHỦ",
    "NGUYỄN HUỆ",
    "TRẦN PHÚ",
    "NGÔ QUYỀN",
    "LÊ THÁNH TÔNG",
];

/// Words that name old (pre-2025) communes and districts in hometown records.
pub const OLD_PLACE_WORDS: &[&str] = &[
    "AN BÌNH",
    "TÂN HƯNG",
    "PHÚ LỢI",
    "HÒA AN",
    "ĐỒNG TÂM",
    "THỊNH LONG",
    "YÊN LẠC",
    "QUẢNG PHÚ",
    "VĨNH HÒA",
    "HƯNG ĐẠO",
    "NGHĨA HƯNG",
    "XUÂN TRƯỜNG",
    "KIẾN XƯƠNG",
    "THUẬN AN",
];

/// Mobile prefixes of the three large networks.
pub const MOBILE_PREFIXES: &[&str] = &[
    "032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098", "081", "082", "083", "084",
    "085", "088", "091", "094", "070", "076", "077", "078", "079", "090", "093",
];
