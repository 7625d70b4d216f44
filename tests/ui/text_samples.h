/* text_samples: one paragraph of security advice in each partner nation's
 * language, shared by the text-engine tests and the screenshot tool.
 *
 * The sentences are real advice a trainee would read ("report suspicious
 * e-mails to your security officer; never open attachments from unknown
 * senders; never share your password"), written as a native reader would,
 * because breaking rules are only tested on real words: Thai, Lao, Khmer and
 * Myanmar have no spaces between words, CJK has punctuation rules, Hindi has
 * conjuncts, Vietnamese stacks diacritics. Each sample also names words that
 * must never be split across lines and is used at several narrow widths.
 */
#ifndef TEST_TEXT_SAMPLES_H
#define TEST_TEXT_SAMPLES_H

typedef struct TextSample {
    const char *lang;        /* BCP 47 tag passed to the engine */
    const char *name;        /* for messages and file names */
    const char *text;        /* UTF-8 paragraph */
    const char *words[6];    /* words that must stay on one line, NULL-ended */
} TextSample;

static const TextSample text_samples[] = {
    {"en", "English",
     "Report suspicious e-mails to your security officer. Never open attachments from unknown senders, "
     "and never share your password, not even with colleagues.",
     {"suspicious", "security", "attachments", "password", "colleagues", NULL}},
    {"th", "Thai",
     "รายงานอีเมลที่น่าสงสัยต่อเจ้าหน้าที่รักษาความปลอดภัยของคุณ "
     "อย่าเปิดไฟล์แนบจากผู้ส่งที่คุณไม่รู้จัก และอย่าบอกรหัสผ่านของคุณกับผู้อื่น แม้แต่เพื่อนร่วมงาน",
     {"สงสัย", "รักษา", "ปลอดภัย", "เพื่อน", "รายงาน", NULL}},
    {"km", "Khmer",
     "សូមរាយការណ៍អំពីអ៊ីមែលដែលគួរឱ្យសង្ស័យទៅមន្ត្រីសន្តិសុខរបស់អ្នក។ "
     "កុំបើកឯកសារភ្ជាប់ពីអ្នកផ្ញើដែលអ្នកមិនស្គាល់ ហើយកុំចែករំលែកពាក្យសម្ងាត់របស់អ្នកជាមួយអ្នកដទៃ "
     "សូម្បីតែមិត្តរួមការងារ។",
     {"សន្តិសុខ", "ស្គាល់", "ភ្ជាប់", "មន្ត្រី", "សម្ងាត់", NULL}},
    {"my", "Myanmar",
     "သံသယဖြစ်ဖွယ် အီးမေးလ်များကို သင်၏ လုံခြုံရေးအရာရှိထံ သတင်းပို့ပါ။ "
     "မသိသော ပေးပို့သူများထံမှ ပူးတွဲဖိုင်များကို ဘယ်တော့မှ မဖွင့်ပါနှင့်။ "
     "သင်၏ စကားဝှက်ကို လုပ်ဖော်ကိုင်ဖက်များကိုပင် မမျှဝေပါနှင့်။",
     {"လုံခြုံ", "သတင်း", "ဖိုင်", NULL}},
    {"lo", "Lao",
     "ກະລຸນາລາຍງານອີເມວທີ່ໜ້າສົງໄສໃຫ້ເຈົ້າໜ້າທີ່ຮັກສາຄວາມປອດໄພຂອງທ່ານ. "
     "ຢ່າເປີດໄຟລ໌ແນບຈາກຜູ້ສົ່ງທີ່ທ່ານບໍ່ຮູ້ຈັກ ແລະ ຢ່າບອກລະຫັດຜ່ານຂອງທ່ານໃຫ້ຜູ້ອື່ນ.",
     {"ກະລຸນາ", "ປອດໄພ", "ຮັກສາ", NULL}},
    {"vi", "Vietnamese",
     "Hãy báo cáo những thư điện tử đáng ngờ cho cán bộ an ninh của bạn. Không bao giờ mở tệp đính kèm "
     "từ người gửi không quen biết và không bao giờ chia sẻ mật khẩu, kể cả với đồng nghiệp.",
     {"những", "người", "khẩu", "nghiệp", NULL}},
    {"ms", "Malay",
     "Laporkan e-mel yang mencurigakan kepada pegawai keselamatan anda. Jangan sekali-kali membuka "
     "lampiran daripada penghantar yang tidak dikenali, dan jangan kongsi kata laluan anda, walaupun "
     "dengan rakan sekerja.",
     {"mencurigakan", "keselamatan", "penghantar", NULL}},
    {"id", "Indonesian",
     "Laporkan e-mail yang mencurigakan kepada petugas keamanan Anda. Jangan pernah membuka lampiran dari "
     "pengirim yang tidak dikenal, dan jangan pernah membagikan kata sandi Anda, bahkan kepada rekan kerja.",
     {"mencurigakan", "keamanan", "membagikan", NULL}},
    {"zh-Hans", "Chinese (Simplified)",
     "请将可疑的电子邮件报告给您的安全官员。切勿打开来自陌生发件人的附件，也不要与任何人分享您的密码，即使是同事也不例外。",
     {NULL}},
    {"zh-Hant", "Chinese (Traditional)",
     "請將可疑的電子郵件報告給您的安全官員。切勿開啟來自陌生寄件者的附件，也不要與任何人分享您的密碼，即使是同事也不例外。",
     {NULL}},
    {"ja", "Japanese",
     "不審なメールはセキュリティ担当者に報告してください。知らない送信者からの添付ファイルは決して開かず、"
     "パスワードは同僚であっても教えないでください。",
     {NULL}},
    {"ko", "Korean",
     "의심스러운 이메일은 보안 담당자에게 신고하십시오. 모르는 발신자가 보낸 첨부 파일은 절대 열지 말고, "
     "동료에게도 비밀번호를 알려 주지 마십시오.",
     {"의심스러운", "담당자에게", "비밀번호를", NULL}},
    {"ru", "Russian",
     "Сообщайте о подозрительных электронных письмах сотруднику службы безопасности. Никогда не открывайте "
     "вложения от неизвестных отправителей и никому не сообщайте свой пароль, даже коллегам.",
     {"подозрительных", "безопасности", "отправителей", NULL}},
    {"hi", "Hindi",
     "संदिग्ध ई-मेल की सूचना अपने सुरक्षा अधिकारी को दें। अज्ञात प्रेषकों से आए अटैचमेंट कभी न खोलें, "
     "और अपना पासवर्ड किसी के साथ साझा न करें, सहकर्मियों के साथ भी नहीं।",
     {"संदिग्ध", "सुरक्षा", "अधिकारी", "पासवर्ड", "सहकर्मियों", NULL}},
};

#define TEXT_SAMPLE_COUNT ((int)(sizeof text_samples / sizeof text_samples[0]))

#endif
