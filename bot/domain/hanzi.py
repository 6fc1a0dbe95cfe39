"""Text folding for matching: full-width to half-width, traditional to simplified, case.

The character map is built in (no OpenCC dependency). It covers the everyday vocabulary
of a residential group chat: building parts, utilities, repairs, hazards, greetings and
the function words around them. Characters outside it pass through unchanged, so a
missing entry costs recall on one message, never a crash.
"""

from __future__ import annotations

import unicodedata
from typing import Final

# Pairs of (traditional, simplified), written back to back. Grouped loosely by topic so a
# missing character is easy to spot and add.
_TRADITIONAL_SIMPLIFIED_PAIRS: Final = (
    # buildings, rooms, places
    "樓楼號号層层單单門门戶户廳厅陽阳臺台檯台廚厨櫃柜簾帘牆墙磚砖階阶"
    "區区園园場场庫库館馆倉仓儲储廁厕廈厦頂顶邊边裡里裏里內内間间處处際际"
    "莊庄鄉乡縣县鎮镇廣广橋桥爐炉竈灶棟栋"
    # utilities and equipment
    "電电燈灯線线綫线錶表鐘钟鍾钟閘闸閥阀龍龙頭头氣气熱热涼凉凍冻溫温"
    "鍋锅機机車车輛辆軌轨輪轮鎖锁鑰钥鐵铁鋼钢鋁铝銅铜網网絲丝繩绳籠笼盞盏"
    "櫥橱鏡镜蓋盖欄栏桿杆護护膠胶紙纸殼壳鑽钻錘锤鋸锯"
    "鈕钮鈴铃碼码牀床傢家"
    # damage and repairs
    "壞坏損损舊旧斷断鬆松爛烂髒脏滲渗墜坠擋挡壓压衝冲沖冲擊击"
    "燒烧煙烟災灾險险隱隐觸触燙烫濕湿溼湿黴霉塗涂補补縫缝換换脫脱積积"
    "滿满異异響响閃闪爍烁搖摇擺摆轉转彎弯緊紧鬧闹聲声擾扰雜杂"
    "亂乱髮发發发開开關关閉闭復复複复維维檢检測测試试驗验質质費费"
    # people and institutions
    "鄰邻業业員员師师務务們们個个誰谁爺爷媽妈兒儿孫孙婦妇親亲長长黨党"
    "會会議议團团隊队組组織织協协調调辦办導导職职責责負负擔担權权"
    "衛卫醫医藥药診诊獸兽貓猫雞鸡鳥鸟魚鱼蟲虫蟻蚁蠅蝇蒼苍鴿鸽"
    # greenery and outdoors
    "樹树葉叶華华蘋苹籬篱壇坛澆浇灑洒噴喷綠绿雲云霧雾颱台颳刮風风"
    # verbs and common words
    "說说説说話话請请謝谢問问題题報报訴诉聯联繫系係系認认識识讓让給给從从"
    "來来過过這这還还沒没麼么麽么嗎吗為为爲为與与並并於于著着後后種种類类"
    "樣样隻只條条張张點点時时週周幾几歲岁節节樂乐慶庆賀贺歡欢學学習习參参"
    "動动運运遊游戲戏寫写讀读聽听見见覺觉應应該该準准備备計计劃划畫画圖图"
    "書书記记錄录録录傳传達达選选舉举決决確确實实況况狀状態态經经歷历曆历"
    "遲迟儘尽盡尽趕赶雖虽總总終终畢毕幫帮願愿馬马齊齐麵面飯饭買买賣卖價价"
    "貴贵錯错誤误對对現现進进遠远嚴严難难輕轻適适無无規规則则範范圍围"
    "罰罚勸劝糾纠紛纷談谈視视頻频貼贴掛挂據据連连結结稱称極极讚赞贊赞"
    "預预約约訂订屆届統统數数麗丽豐丰東东陰阴靜静驚惊嚇吓癱瘫瘓痪"
    "嘍喽囉啰噹当囪囱湯汤養养餘余飛飞鬥斗爭争衆众眾众卽即啟启啓启"
    "萬万壽寿誌志紀纪獎奖勵励夢梦聖圣誕诞幹干乾干淨净強强別别吳吴"
    "黃黄稅税銳锐閱阅偽伪兌兑悅悦遺遗產产寶宝貝贝緩缓暫暂擱搁"
    "絕绝級级紅红純纯細细續续練练紹绍編编緣缘"
    "環环獨独猶犹獲获穫获滅灭殺杀撲扑劑剂臨临盜盗監监攝摄飄飘"
    "傷伤鄭郑劉刘楊杨陳陈趙赵錢钱廠厂歸归夥伙佔占佈布"
    "撿捡丟丢帶带彈弹屬属構构設设訊讯詢询證证謂谓"
    "輸输贏赢賽赛較较辭辞農农違违遞递邁迈郵邮醬酱釋释針针鋪铺銷销"
    "閒闲閑闲闆板闖闯闊阔陣阵陸陆隨随雙双靈灵韓韩頁页順顺須须"
    "領领額额顏颜顧顾顯显飲饮飽饱駕驾騎骑騙骗鬍胡魯鲁鴨鸭"
    "麥麦齒齿齡龄龜龟夠够奮奋獻献瑪玛瓊琼療疗癢痒盤盘睏困礎础"
    "禮礼禍祸穩稳窮穷竊窃筆笔築筑簡简簽签籃篮糧粮緻致罵骂羅罗聞闻"
    "肅肃脈脉腳脚腦脑臉脸艙舱艱艰蘭兰虛虚蝦虾裝装製制襪袜褲裤"
    "觀观訪访誠诚諾诺謀谋謊谎謹谨譜谱豬猪貨货販贩"
    "賬账賠赔賴赖購购贈赠趨趋跡迹踐践蹤踪躍跃軟软輔辅輩辈轎轿邏逻"
    "醜丑鑑鉴闡阐陝陕隸隶離离頓顿頸颈顆颗"
    "餃饺餓饿驅驱驟骤體体鬱郁鹹咸鹽盐齋斋龐庞"
    # everyday words seen in chat
    "剛刚煩烦義义轟轰憂忧淚泪啞哑憑凭標标廢废徑径擴扩擠挤攤摊腫肿膽胆蔥葱蘿萝鏈链鏟铲閣阁饅馒驢驴喚唤嘗尝嚨咙圓圆壯壮壺壶奪夺島岛幣币廟庙惱恼慣惯憐怜懶懒懷怀戰战搶抢"
    "撐撑擁拥擇择攜携敗败敵敌曬晒槍枪殘残毀毁湧涌滾滚漲涨潑泼潔洁澤泽濃浓瀉泻灣湾牽牵瘋疯礙碍窩窝競竞糞粪紋纹紮扎絡络綁绑緒绪縮缩罷罢聰聪膩腻葷荤蘇苏襯衬訓训評评詞词"
    "詳详誇夸誘诱語语謎谜譯译變变迴回釘钉鈔钞鉛铅銀银鍵键餅饼餵喂骯肮鳴鸣鴉鸦囂嚣亞亚僅仅優优億亿儀仪兩两冊册劇剧勞劳勢势匯汇卻却厲厉叢丛執执堅坚塊块塵尘夾夹奧奥寧宁"
    "審审寬宽寵宠將将專专尋寻嶺岭帥帅帳帐徹彻恆恒惡恶愛爱慘惨慮虑憶忆懼惧拋抛揚扬攔拦橫横檔档淺浅減减溝沟滯滞漢汉漸渐潤润濟济烏乌當当睜睁績绩繞绕繼继興兴藝艺術术許许"
    "論论財财資资軍军載载項项"
    # Taiwan and Hong Kong chat: 瓦斯, 燭, 傘, 櫈, 鏽, 曬, 閂 …
    "講讲繳缴燭烛傘伞誼谊櫈凳掃扫餉饷臘腊舖铺柵栅螢萤洩泄納纳櫻樱螞蚂剝剥鞦秋韆千"
    "滷卤悶闷嬤嬷棧栈薦荐襲袭撻挞捲卷魷鱿鏽锈翹翘絆绊嬰婴閂闩衞卫嚟来"
    "廂厢漬渍樁桩屜屉鉤钩懸悬盪荡棄弃屍尸樑梁銹锈嗆呛灘滩"
)

_TRADITIONAL_TO_SIMPLIFIED: Final[dict[int, str]] = {
    ord(_TRADITIONAL_SIMPLIFIED_PAIRS[index]): _TRADITIONAL_SIMPLIFIED_PAIRS[index + 1]
    for index in range(0, len(_TRADITIONAL_SIMPLIFIED_PAIRS), 2)
}


def traditional_simplified_pairs() -> dict[str, str]:
    """The built-in traditional → simplified character map (a fresh copy)."""
    return {chr(code): simplified for code, simplified in _TRADITIONAL_TO_SIMPLIFIED.items()}


def to_simplified(text: str) -> str:
    """Fold full-width forms to half-width (NFKC) and traditional characters to simplified.

    Case is kept, so callers that care about capital letters (apartment "2B") still can.
    """
    return unicodedata.normalize("NFKC", text).translate(_TRADITIONAL_TO_SIMPLIFIED)


def normalize(text: str) -> str:
    """Fold text for matching: NFKC, traditional → simplified, case-fold, collapse spaces."""
    return " ".join(to_simplified(text).casefold().split())
