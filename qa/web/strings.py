"""The chat's words in English and Traditional Chinese (zh-HK), in one place, so that a string added
to one language is seen to be missing from the other (a test compares the two)."""

from __future__ import annotations

EXAMPLES: dict[str, list[str]] = {
    "en": [
        "How many Mainland Offices does the HKSAR Government have?",
        "What did Hong Kong and Shanghai agree in April 2024?",
        "閩港合作會議第四次全體會議達成了多少項合作事項？",
        "Which areas does legal co-operation cover?",
    ],
    "zh": [
        "香港特區政府有多少個內地辦事處？",
        "滬港合作會議在2024年4月達成了甚麼共識？",
        "閩港合作會議第四次全體會議達成了多少項合作事項？",
        "法律合作涵蓋哪些範疇？",
    ],
}

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Ask the LegCo papers",
        "intro": "Every answer cites the paragraphs it comes from; click a citation to read it. English or 中文.",
        "label": "Your question", "placeholder": "Ask a question and press Enter", "ask": "Ask", "stop": "Stop",
        "new": "New conversation", "delete": "Delete", "clear_all": "Clear all", "saved": "Saved conversations",
        "confirm_delete": "Delete this conversation?", "confirm_clear": "Delete all conversations?",
        "yes": "Yes, delete", "no": "Cancel", "undo": "Undo", "deleted": "Deleted.",
        "search": "Search conversations", "history": "Conversations and papers",
        "try": "Try:", "share": "Link to this answer", "scope": "Search in (all papers when empty)",
        "too_long": "Your question is {n:,} characters long; the limit is {limit:,}. Please shorten it.",
        "too_many_votes": "Thank you: that is as many votes as a minute takes. Please try again shortly.",
        "placeholder_chat": "Ask about the papers, e.g. which meetings the Chief Executive attended.",
        "extractive": "Answers quote the papers word for word; nothing is generated.",
        "generative": "Answers are written by a language model from the papers, and every citation is checked "
                      "against its paragraph; when the model is unavailable, answers quote the papers word for word.",
        "writing": "*Writing; the citations are checked when the answer is complete…*", "last": "Last answer",
        "papers": "{n} papers", "paper": "1 paper", "both": "English and Chinese", "en_only": "English",
        "zh_only": "Chinese", "choose": "Choose papers", "sources": "Sources", "language": "Language",
        "regenerate": "Regenerate", "keys": "Keys: ↑ last question · Esc stop · Ctrl+Shift+O new conversation",
    },
    "zh": {
        "title": "立法會文件問答",
        "intro": "每個答案都註明出處段落，按引用即可閱讀原文。可用中文或英文提問。",
        "label": "你的問題", "placeholder": "輸入問題後按 Enter", "ask": "提問", "stop": "停止",
        "new": "新對話", "delete": "刪除", "clear_all": "全部清除", "saved": "已儲存的對話",
        "confirm_delete": "刪除這個對話？", "confirm_clear": "刪除所有對話？",
        "yes": "確定刪除", "no": "取消", "undo": "復原", "deleted": "已刪除。",
        "search": "搜尋對話", "history": "對話及文件",
        "try": "試試：", "share": "此答案的連結", "scope": "搜尋範圍（留空即搜尋所有文件）",
        "too_long": "你的問題有 {n:,} 個字元，上限為 {limit:,} 個。請縮短問題。",
        "too_many_votes": "多謝！一分鐘內的評分已達上限，請稍後再試。",
        "placeholder_chat": "就文件提問，例如行政長官出席了哪些會議。",
        "extractive": "答案逐字引用文件原文，不會生成內容。",
        "generative": "答案由語言模型根據文件撰寫，每個引用均已與原段落核對；模型無法使用時，答案會逐字引用原文。",
        "writing": "*撰寫中；答案完成後會核對引用……*", "last": "最近答案",
        "papers": "{n} 份文件", "paper": "1 份文件", "both": "中英文", "en_only": "英文", "zh_only": "中文",
        "choose": "選擇文件", "sources": "出處", "language": "語言",
        "regenerate": "重新回答", "keys": "快捷鍵：↑ 上一條問題 · Esc 停止 · Ctrl+Shift+O 新對話",
    },
}

# the sources panel and the cards in it
PANEL: dict[str, dict[str, str]] = {
    "en": {"empty": "Sources appear here. Click a citation such as <b>[¶5]</b> in an answer to read the "
                    "paragraph it quotes.",
           "none": "No paragraph of the indexed papers answers the last question.",
           "title": "Sources of the last answer", "close": "Back to the conversation",
           "nearby": "Where the papers speak of the subject", "read": "Read the paper",
           "published": "Where it was published", "sources": "Sources", "paragraphs": "citable paragraphs",
           "back": "← Ask the papers", "published_at": "Published at"},
    "zh": {"empty": "出處會在這裡顯示。按答案中的引用（例如 <b>[¶5]</b>）即可閱讀所引段落。",
           "none": "已索引的文件中沒有段落回答上一個問題。",
           "title": "最近答案的出處", "close": "返回對話", "nearby": "文件提及這個題目的段落",
           "read": "閱讀全文", "published": "原文出處", "sources": "出處", "paragraphs": "個可引用段落",
           "back": "← 就文件提問", "published_at": "原文發布於"},
}

EDITION = {"en": "English version", "zh": "中文本"}
LANGS = {"English": "en", "中文": "zh"}


def html_lang(lang: str) -> str:
    """The `lang` attribute for an interface or document language."""
    return "zh-HK" if lang == "zh" else "en"
