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
    "common.closed": ("Closed", "已关闭"),
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
    "upload.no_media": ("No media yet", "还没有媒体"),
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
    "chat.empty": ("No messages yet", "还没有消息"),
    "chat.you": ("You", "我"),
    "chat.assistant": ("Nemo", "Nemo"),
    # for the chat behaviours (copy, stop, suggested prompts)
    "chat.copy": ("Copy", "复制"),
    "chat.copied": ("Copied", "已复制"),
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
    "export.none": ("No export yet", "还没有导出"),
    "export.render": (
        "Render {id}: {status} {percent}% {where}",
        "渲染 {id}：{status} {percent}% {where}",
    ),
    # -- studio ------------------------------------------------------------------------------------
    "studio.title": ("NemoVideo studio", "NemoVideo 工作台"),
    "studio.backend.local": ("offline backend", "本地离线服务"),
    "studio.backend.cloud": ("cloud backend", "云端服务"),
    "studio.session": ("session", "会话"),
}
