"""The strings of `_text`: key → (English, Chinese). See `_text` for the key areas."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    # -- every widget ------------------------------------------------------------------------------
    "common.cancel": ("Cancel", "取消"),
    "common.timeout": (
        "No answer to {kind} within {seconds} s (is the kernel busy?)",
        "{seconds} 秒内没有收到 {kind} 的回应（内核是否正忙？）",
    ),
    "common.failed": ("Failed", "失败"),
    "common.closed": ("closed", "已关闭"),
    # -- upload picker -----------------------------------------------------------------------------
    "upload.drop": ("Drop media here", "把媒体文件拖到这里"),
    "upload.or": (" or ", "，或"),
    "upload.choose": ("choose files", "选择文件"),
    "upload.limits": ("{types} · up to {size}", "{types} · 单个文件最大 {size}"),
    "upload.path_placeholder": (
        "Path on the kernel's machine (globs allowed)",
        "内核所在机器上的路径（可用通配符）",
    ),
    "upload.url_placeholder": ("https://… media URL", "https://… 媒体链接"),
    "upload.add_path": ("Add path", "添加路径"),
    "upload.add_url": ("Add URL", "添加链接"),
    "upload.to_kernel": ("{name} → kernel", "{name} → 内核"),
    "upload.to_backend": ("{name} → backend", "{name} → 后端"),
    "upload.progress": ("{status} {sent} / {total}", "{status} {sent} / {total}"),
    "upload.status.sending": ("sending", "发送中"),
    "upload.status.uploading": ("uploading", "上传中"),
    "upload.status.cancelled": ("cancelled", "已取消"),
    "upload.status.error": ("error", "出错"),
    "upload.not_accepted": (
        "{name}: type .{ext} is not accepted ({types})",
        "{name}：不支持 .{ext} 格式（支持 {types}）",
    ),
    "upload.empty": ("{name} is empty", "{name} 是空文件"),
    "upload.too_large": (
        "{name} is {size}, over the {limit} limit",
        "{name} 有 {size}，超过 {limit} 上限",
    ),
    "upload.no_media": ("no media yet", "还没有媒体"),
    "upload.media": ("Media", "媒体"),
    # -- chat cell ---------------------------------------------------------------------------------
    "chat.send": ("Send", "发送"),
    "chat.placeholder": ("Ask for an edit… (Enter sends)", "说说想怎么剪…（Enter 发送）"),
    "chat.route.error": ("⚠️ Error", "⚠️ 出错了"),
    "chat.route.credits": ("💳 Credits", "💳 积分"),
    "chat.route.status": ("🎞 Timeline", "🎞 时间线"),
    "chat.route.export": ("🎬 Export", "🎬 导出"),
    "chat.route.upload": ("📤 Upload", "📤 上传"),
    "chat.working": ("working", "处理中"),
    "chat.tool": ("🔧 {name}…", "🔧 {name}…"),
    "chat.no_reply": ("(no reply)", "（没有回复）"),
    "chat.empty": ("no messages yet", "还没有消息"),
    "chat.you": ("user", "我"),
    "chat.assistant": ("assistant", "Nemo"),
    # for the chat behaviours (copy, stop, suggested prompts)
    "chat.copy": ("Copy", "复制"),
    "chat.copied": ("Copied", "已复制"),
    "chat.copy_failed": ("Copy failed", "复制失败"),
    "chat.stop": ("Stop", "停止"),
    "chat.stopped": (
        "Stopped waiting. The backend may still finish: the timeline shows what it did.",
        "已停止等待。后端可能仍会完成，结果见时间线。",
    ),
    "chat.suggestions": ("Try:", "试试："),
    "chat.new_messages": ("New messages ↓", "有新消息 ↓"),
    # -- timeline ----------------------------------------------------------------------------------
    "timeline.empty": (
        "Empty timeline: upload media and ask for an edit.",
        "时间线是空的：先上传媒体，再说说想怎么剪。",
    ),
    "timeline.track": ("Track {n}", "轨道 {n}"),
    "timeline.row": ("#", "#"),
    "timeline.undo": ("Undo", "撤销"),
    "timeline.redo": ("Redo", "重做"),
    "timeline.delete": ("Delete", "删除"),
    "timeline.earlier": ("◀ Earlier", "◀ 前移"),
    "timeline.later": ("Later ▶", "后移 ▶"),
    "timeline.discard": ("Discard edits", "放弃修改"),
    "timeline.edits": ("{n} edit(s)", "{n} 处修改"),
    "timeline.no_edits": ("No edits", "无修改"),
    "timeline.dismiss": ("Dismiss", "知道了"),
    "timeline.refused": ("Not changed", "未修改"),
    # -- export panel ------------------------------------------------------------------------------
    "export.export": ("Export", "导出"),
    "export.quality": ("Quality", "画质"),
    "export.quality.high": ("high", "高"),
    "export.quality.medium": ("medium", "中"),
    "export.quality.low": ("low", "低"),
    "export.open_project": ("Open project ↗", "打开项目 ↗"),
    "export.download": ("Download", "下载"),
    "export.phase.idle": ("idle", "空闲"),
    "export.phase.pending": ("pending", "等待中"),
    "export.phase.processing": ("processing", "处理中"),
    "export.phase.download": ("download", "下载中"),
    "export.phase.completed": ("completed", "已完成"),
    "export.phase.cancelled": ("cancelled", "已取消"),
    "export.phase.failed": ("failed", "失败"),
    "export.cancelled": ("Cancelled.", "已取消。"),
    "export.too_big": (
        "The video ({size}) is over the {cap} limit for the notebook channel: "
        "open {path} on the kernel's machine.",
        "视频（{size}）超过笔记本通道 {cap} 的上限：请在内核所在机器上打开 {path}。",
    ),
    "export.the_file": ("the file", "该文件"),
    "export.loading": (
        "Loading the video through the notebook: {got} / {total}",
        "正在通过笔记本加载视频：{got} / {total}",
    ),
    "export.incomplete": (
        "Video incomplete: {got} of {total} bytes",
        "视频不完整：只收到 {total} 字节中的 {got} 字节",
    ),
    "export.none": ("no export yet", "还没有导出"),
    "export.render": (
        "Render {id}: {status} {percent}% {where}",
        "渲染 {id}：{status} {percent}% {where}",
    ),
    # -- studio ------------------------------------------------------------------------------------
    "studio.title": ("NemoVideo studio", "NemoVideo 工作台"),
    "studio.backend.local": ("offline backend", "本地离线服务"),
    "studio.backend.cloud": ("cloud backend", "云端服务"),
    "studio.session": ("session", "会话"),
    # -- the summary line (draft._summary) ------------------------------------------------------
    "summary.none": ("Timeline (0 tracks): empty", "时间线（0 条轨道）：空"),
    "summary.one": ("Timeline ({n} track): {lines}", "时间线（{n} 条轨道）：{lines}"),
    "summary.many": ("Timeline ({n} tracks): {lines}", "时间线（{n} 条轨道）：{lines}"),
    "summary.track": ("{i}. {name}: {what} ({details})", "{i}. {name}：{what}（{details}）"),
    "summary.track_empty": ("{i}. {name}: empty", "{i}. {name}：空"),
    "summary.video": ("Video", "视频"),
    "summary.audio": ("Audio", "音频"),
    "summary.text": ("Text", "文字"),
    "summary.untitled": ("untitled", "未命名"),
    "summary.n_clips": ("{n} clips", "{n} 个片段"),
    "summary.n_images": ("{n} images", "{n} 张图片"),
    "summary.n_videos": ("{n} videos", "{n} 段视频"),
    "summary.n_titles": ("{n} titles", "{n} 个标题"),
    "summary.n_subtitles": ("{n} subtitles", "{n} 条字幕"),
    "summary.n_texts": ("{n} texts", "{n} 段文字"),
    # -- displays (reprs) --------------------------------------------------------------------------
    "repr.reply": ("Reply", "回复"),
    "repr.route.chat": ("chat", "对话"),
    "repr.route.export": ("export", "导出"),
    "repr.route.credits": ("credits", "积分"),
    "repr.route.status": ("timeline", "时间线"),
    "repr.route.upload": ("upload", "上传"),
    "repr.route.error": ("error", "出错"),
    "repr.changes": ("changes: {n}", "{n} 处修改"),
    "repr.state": ("State", "状态"),
    "repr.media_count": ("{n} media", "{n} 个媒体"),
    "repr.session": ("Session", "会话"),
    "repr.task": ("task", "任务"),
    "repr.credits_of": ("credits {available}/{total}", "积分 {available}/{total}"),
    "repr.jobs": ("{n} renders (last: {status})", "{n} 个渲染（最近：{status}）"),
    "repr.language": ("language {language}", "语言 {language}"),
    "repr.credits": (
        "Credits: {available} available · {frozen} reserved · {total} total",
        "积分：可用 {available} · 冻结 {frozen} · 共 {total}",
    ),
    "repr.media": ("Media", "媒体"),
    "repr.type.video": ("video", "视频"),
    "repr.type.image": ("image", "图片"),
    "repr.type.audio": ("audio", "音频"),
    # -- magics ------------------------------------------------------------------------------------
    "magic.usage": (
        "Usage: %nemo COMMAND [ARGS…] | %%nemo [--no-wait]",
        "用法：%nemo 命令 [参数…] | %%nemo [--no-wait]",
    ),
    "magic.description": (
        "NemoVideo in the notebook: connect, upload, chat, look at the timeline, export.",
        "在笔记本里用 NemoVideo：连接、上传、对话、查看时间线、导出。",
    ),
    "magic.commands": (
        "commands:\n"
        "  %nemo connect [local|cloud] [--api-url URL] [--language LANG]\n"
        "                [--record FILE [--refresh]]\n"
        "                          connect (local: the offline backend on this machine;\n"
        "                          --record: record chat turns, replay them on a later run)\n"
        "  %nemo studio            the upload picker, chat, timeline and export panel\n"
        "  %nemo upload PATH…      upload files (globs allowed) or URLs\n"
        "  %nemo credits           the credit balance\n"
        "  %nemo status            the track summary and the timeline table\n"
        "  %nemo export [--quality high|medium|low]\n"
        "                          render the timeline and show the export panel\n"
        "  %nemo link              the link to open the project in the web editor\n"
        "  %%nemo [--no-wait]      the cell body is a chat message; the reply streams below;\n"
        "                          {name} in the body is replaced by the value of the\n"
        "                          notebook variable name (write {{ and }} for braces)",
        "命令：\n"
        "  %nemo connect [local|cloud] [--api-url URL] [--language LANG]"
        " [--record FILE [--refresh]]\n"
        "                          连接（`local`：本机上的离线服务；\n"
        "                          `--record`：记录对话，下次运行时重放）\n"
        "  %nemo studio            上传、对话、时间线和导出面板\n"
        "  %nemo upload PATH…      上传文件（可用通配符）或链接\n"
        "  %nemo credits           积分余额\n"
        "  %nemo status            轨道摘要和时间线表格\n"
        "  %nemo export [--quality high|medium|low]\n"
        "                          渲染时间线并显示导出面板\n"
        "  %nemo link              在网页编辑器中打开项目的链接\n"
        "  %%nemo [--no-wait]      单元格正文就是发给 Nemo 的消息，回复会流式显示在下方；\n"
        "                          正文里的 {name} 会替换成笔记本中同名变量的值\n"
        "                          （要写花括号本身，请用 {{ 和 }}）",
    ),
    "magic.arg.command": ("the command (see below)", "命令（见下文）"),
    "magic.arg.args": ("the command's arguments", "命令的参数"),
    "magic.arg.api_url": ("the backend's URL", "后端地址"),
    "magic.arg.language": (
        "the session's language (zh, zh-CN, en…; default: the locale's)",
        "会话语言（zh、zh-CN、en…；默认跟随系统语言）",
    ),
    "magic.arg.quality": ("the export quality", "导出画质"),
    "magic.arg.record": (
        "record chat turns in FILE and replay them on a later run (no credits spent)",
        "把对话记录到文件，下次运行时直接重放（不消耗积分）",
    ),
    "magic.arg.refresh": (
        "with --record: ask everything again and rewrite the record",
        "配合 `--record`：全部重新提问并改写记录",
    ),
    "magic.arg.no_wait": (
        "show a chat widget and return at once",
        "显示对话组件，不等待回复",
    ),
    "magic.connected": ("Connected: {session}", "已连接：{session}"),
    "magic.uploaded": ("✅ {name} ({type}, {size}) → {id}", "✅ {name}（{type}，{size}）→ {id}"),
    "magic.exported": ("🎬 {id}: {status} → {where}", "🎬 {id}：{status} → {where}"),
    "magic.open_project": ("Open the project ↗", "打开项目 ↗"),
    "magic.unknown": ("Unknown command {command}.", "没有 {command} 这个命令。"),
    "magic.bad_arg": ("{command}: {problem}", "{command}：{problem}"),
    "magic.choose": ("choose one of {choices}", "请从 {choices} 中选择"),
    "magic.extra": ("unexpected arguments: {args}", "多余的参数：{args}"),
    "magic.upload_needs": (
        "%nemo upload needs at least one path or URL.",
        "%nemo upload 至少要给一个路径或链接。",
    ),
    "magic.empty_cell": (
        "The %%nemo cell is empty: write the message below the magic.",
        "%%nemo 单元格是空的：请在魔法命令下面写消息。",
    ),
    "magic.no_session": (
        "No session yet: run `%nemo connect local` (or `connect`) first.",
        "还没有会话：请先运行 `%nemo connect local`（或 `connect`）。",
    ),
    "magic.sending": ("⏳ Sending…", "⏳ 发送中…"),
    "magic.stopped": (
        "Stopped waiting; the reply goes on and will appear above when it is done.",
        "已停止等待；回复仍在继续，完成后会显示在上方。",
    ),
    # -- notices -----------------------------------------------------------------------------------
    "notice.session_gone": (
        "The previous session is gone; starting a new one.",
        "之前的会话已失效，正在新建会话。",
    ),
    "notice.session_lost": (
        "The backend had lost this session: started a new one.",
        "后端丢失了这个会话，已新建一个。",
    ),
    "notice.render_failed": (
        "Render {id} failed ({reason}): {then}.",
        "渲染 {id} 失败（{reason}）：{then}。",
    ),
    "notice.no_reason": ("no reason given", "未说明原因"),
    "notice.retrying": ("retrying once with a new id", "换个新编号再试一次"),
    "notice.giving_up": ("giving up", "不再重试"),
    "notice.exporting": ("⏳ Exporting...", "⏳ 导出中…"),
    "notice.exported": ("✅ Exported: {where}", "✅ 已导出：{where}"),
    "notice.uploading": ("⏳ Uploading {n} item(s)...", "⏳ 正在上传 {n} 项…"),
    "notice.uploaded": ("✅ Uploaded: {names}", "✅ 已上传：{names}"),
    "notice.credits": (
        "Credits: {available} available, {frozen} reserved by running work, {total} total.",
        "积分：可用 {available}，进行中的任务冻结 {frozen}，共 {total}。",
    ),
    # -- progress bars -----------------------------------------------------------------------------
    "progress.upload": ("upload", "上传"),
    "progress.download": ("download", "下载"),
    "progress.render": ("render", "渲染"),
    "progress.media": ("media", "素材"),
    "progress.render_job": ("render {id} ({status})", "渲染 {id}（{status}）"),
    # -- error hints (errors.py) -------------------------------------------------------------------
    "hint.auth": (
        "Check NEMO_TOKEN, or unset it to use a free anonymous token.",
        "请检查 NEMO_TOKEN，或者删掉它，改用免费的匿名令牌。",
    ),
    "hint.session_not_found": (
        "A new session was needed: run connect() again.",
        "需要新会话：请重新运行 connect()。",
    ),
    "hint.no_credits": ("Top up at nemovideo.com.", "请到 nemovideo.com 充值。"),
    "hint.no_credits_host": ("Top up at {host}.", "请到 {host} 充值。"),
    "hint.register": (
        "Your free credits are used up! Register to get 100 more credits, and your project "
        "history will be preserved: {url}",
        "免费积分已用完！注册即可再得 100 积分，项目记录会保留：{url}",
    ),
    "hint.unsupported": ("Supported formats: {formats}.", "支持的格式：{formats}。"),
    "hint.too_large": ("Compress or trim it below 500 MB.", "请压缩或剪短到 500 MB 以内。"),
    "hint.export_blocked": (
        "Register at nemovideo.com to unlock export.",
        "请到 nemovideo.com 注册，即可导出。",
    ),
    "hint.export_blocked_host": (
        "Register at {host} to unlock export.",
        "请到 {host} 注册，即可导出。",
    ),
    "hint.rate_limited": ("Wait a minute and try again.", "请等一分钟再试。"),
    "hint.render_failed": (
        "Check the draft (session.summary()) and export again.",
        "请检查草稿（session.summary()）后重新导出。",
    ),
    "hint.stream_timeout": (
        "The edit may still finish: check session.summary() before sending again.",
        "修改可能仍会完成：再次发送前请先看看 session.summary()。",
    ),
    "hint.backend_unavailable": (
        "Check your connection or the backend URL, then try again.",
        "请检查网络或后端地址，然后重试。",
    ),
    "hint.draft": (
        "Fix the named track and segment, then try again.",
        "请修改提示中的轨道和片段，然后重试。",
    ),
    "hint.input": (
        "Give existing media files, globs such as 'shots/*.jpg', or http(s) URLs.",
        "请给出存在的媒体文件、通配符（如 'shots/*.jpg'）或 http(s) 链接。",
    ),
    "hint.chunk": ("Upload the file again.", "请重新上传这个文件。"),
    # -- errors the widgets and the session raise -------------------------------------------------
    "error.nothing_to_send": ("Nothing to send.", "没有要发送的内容。"),
    "hint.type_message": ("Type a message first.", "请先输入消息。"),
    "error.still_streaming": ("A reply is still streaming.", "回复还在进行中。"),
    "hint.wait_then_send": ("Wait for it, then send again.", "请等它结束后再发送。"),
    "error.still_working": (
        "Still working on your previous message.",
        "上一条消息还在处理中。",
    ),
    "hint.wait_no_resend": (
        "Wait for its reply (sending again could be charged twice).",
        "请等待回复（重复发送可能会被扣两次积分）。",
    ),
    "error.no_path": ("No path given.", "没有填写路径。"),
    "hint.type_path": ("Type a path on the kernel's machine.", "请输入内核所在机器上的路径。"),
    "error.not_url": ("Not an http(s) URL: {url}", "不是 http(s) 链接：{url}"),
    "hint.paste_url": ("Paste a full https:// link.", "请粘贴完整的 https:// 链接。"),
    "error.export_running": ("An export is already running.", "已经有一个导出在进行。"),
    "hint.wait_finish": ("Wait for it to finish.", "请等它完成。"),
    "error.unknown_quality": ("Unknown quality {quality}.", "没有 {quality} 这种画质。"),
    "hint.use_one_of": ("Use one of {choices}.", "请从 {choices} 中选一个。"),
    "error.no_render": ("No render is running.", "没有正在进行的渲染。"),
    "hint.start_export": ("Start one with Export.", "请点“导出”开始。"),
    "error.no_file": (
        "That render has no downloaded file here.",
        "这个渲染在本机没有已下载的文件。",
    ),
    "hint.export_again": ("Export again.", "请重新导出。"),
    "error.too_big": (
        "The video is {size} MB, over the {cap} MB that can go through the notebook.",
        "视频有 {size} MB，超过了笔记本通道能传的 {cap} MB。",
    ),
    "hint.open_on_kernel": (
        "Open it on the kernel's machine: {path}",
        "请在内核所在机器上打开：{path}",
    ),
    "error.no_session": ("No live session.", "没有可用的会话。"),
    "hint.connect_first": (
        "Run nemo_widgets.connect() first.",
        "请先运行 nemo_widgets.connect()。",
    ),
    "error.cancelled": ("Cancelled.", "已取消。"),
}
