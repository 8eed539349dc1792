#include "ui/strings.h"

#include <unordered_map>

namespace dh::ui {

namespace {

// ---------------------------------------------------------------------------
// zh-CN (default)
// ---------------------------------------------------------------------------
const std::vector<StringEntry> kZh = {
    {"app.title", "滇红慧 · 东城社区"},
    {"app.subtitle", "社区治理工作台"},

    {"nav.home", "首页"},
    {"nav.kiosk", "志愿报名"},
    {"nav.schedule", "排班"},
    {"nav.talent", "人才库"},
    {"nav.requests", "居民诉求"},
    {"nav.deliberation", "议事协商"},
    {"nav.projector", "投影"},
    {"nav.sync", "同步"},
    {"nav.base", "基础数据"},
    {"nav.settings", "设置"},

    {"area.not_built", "这一部分还没有建成。"},
    {"area.will_do", "建成后，它将："},
    {"area.meanwhile", "现在可以在“基础数据”中查看和维护户、居民、志愿者、专家等记录。"},
    {"area.kiosk.what",
     "让居民在服务大厅或站点的平板上自己报名志愿服务班次（课后托管、阅读空间、法律援助、室内健身、助老、公益活动等）。"
     "没有网络也能报名，联网后自动同步；按钮和文字都很大，方便老人使用。"},
    {"area.schedule.what",
     "帮助协调员在党群服务大厅和四个特色服务站点安排志愿班次、发现和补上空缺，"
     "防止同一人时间冲突，并按志愿者和按户记录每一小时的服务时长（签到签退的时长与手工补录的时长分开记录）。"},
    {"area.talent.what",
     "把居民诉求和纠纷按专业领域、空闲情况、所在网格和当前工作量，匹配给人才库的103位专家，列出推荐名单和理由；"
     "并让7名培养对象跟随导师参与真实案件。"},
    {"area.requests.what",
     "按“线上收集—线下处置—实时反馈”登记居民诉求和矛盾纠纷，跟踪处理进度，直到把结果反馈给居民。"},
    {"area.deliberation.what",
     "支持分级议事：一级议事（业委会或网格）和每季度至少一次的二级社区议事会。"
     "登记议题、出席人数和表决，一人一票，改票只计最后一次，民事民议、民事民办。"},
    {"area.projector.what",
     "在议事室的投影上显示会议议程和主持人公布的表决结果；如果投影断开了更新，会明确提示，而不是显示过时的数字。"},
    {"area.sync.what",
     "联网时与社区服务器交换记录，显示待上传的修改、被拒绝的修改及原因；断网时一切照常，联网后自动补上。"},

    {"home.title", "社区概况"},
    {"home.households", "户"},
    {"home.residents", "居民"},
    {"home.volunteers", "志愿者"},
    {"home.volunteer_households", "有志愿者的户"},
    {"home.experts", "人才库专家"},
    {"home.trainees", "培养对象"},
    {"home.stations", "特色服务站点"},
    {"home.halls", "党群服务大厅"},
    {"home.grids", "网格"},
    {"home.micro_grids", "微网格"},
    {"home.squads", "服务队"},
    {"home.groups", "志愿分组"},
    {"home.share", "占全部户的 {0}%"},
    {"home.counted", "以上数字由本设备上的记录统计得出。"},
    {"home.empty", "本设备上还没有任何记录。可以在“基础数据”中新建，或从服务器同步。"},

    {"status.saved", "已保存到本设备"},
    {"status.saving", "正在保存…"},
    {"status.online", "在线"},
    {"status.offline", "离线"},
    {"status.device", "设备：{0}"},
    {"status.no_device", "设备：未设置"},
    {"status.ops", "操作：{0} 条"},
    {"status.author", "使用者：{0}"},
    {"status.no_author", "使用者：未设置（请到“设置”填写）"},
    {"status.persistent", "持久存储"},
    {"status.read_only", "本页只读：{0}"},
    {"status.read_only_default", "另一个标签页正在使用本设备的数据，这个标签页只能查看，不能修改。"},
    {"status.storage_error", "保存失败：{0}"},
    {"status.problem", "打开数据时发现问题：{0}"},
    {"status.dismiss", "知道了"},
    {"status.update", "有新版本可用。更新前会先保存本设备上的数据。"},
    {"status.update_button", "立即更新"},

    {"records.kinds", "记录类型"},
    {"records.search_hint", "搜索（名称、地址、电话、编号）"},
    {"records.show_archived", "显示已归档"},
    {"records.new", "新建"},
    {"records.count", "共 {0} 条"},
    {"records.count_filtered", "找到 {0} 条（共 {1} 条）"},
    {"records.none", "没有符合条件的记录。"},
    {"records.pick", "从列表中选择一条记录查看或修改，或点“新建”。"},
    {"records.col_title", "名称"},
    {"records.col_state", "状态"},
    {"records.archived_badge", "已归档"},
    {"records.new_title", "新建：{0}"},
    {"records.edit_title", "{0}：{1}"},
    {"records.save", "保存"},
    {"records.create", "创建"},
    {"records.cancel", "取消"},
    {"records.discard", "放弃修改"},
    {"records.archive", "归档"},
    {"records.archive_title", "归档这条记录"},
    {"records.archive_reason", "归档原因（例如：已搬走）"},
    {"records.archive_confirm", "确认归档"},
    {"records.restore", "恢复"},
    {"records.required", "（必填）"},
    {"records.unsaved", "有未保存的修改"},
    {"records.changed_elsewhere",
     "你编辑时，这条记录已被更改（可能来自其他设备）。保存时只写入你改动的字段。"},
    {"records.gone", "这条记录已不在本设备上。"},
    {"records.saved", "已保存。"},
    {"records.created", "已创建。"},
    {"records.archived_done", "已归档。"},
    {"records.restored", "已恢复。"},
    {"records.failed", "未能保存：{0}"},
    {"records.fix_fields", "请先改正标红的项目。"},
    {"records.read_only", "本页只读，不能修改。"},
    {"records.archived_note", "这条记录已归档，先恢复才能修改。"},
    {"records.created_by", "创建人：{0}"},
    {"records.id", "编号：{0}"},
    {"records.none_choice", "（无）"},
    {"records.ref_search", "输入文字搜索"},
    {"records.ref_missing", "（找不到：{0}）"},
    {"records.ref_archived", "（已归档）"},
    {"records.list_hint", "每行一项"},
    {"records.yes", "是"},
    {"records.no", "否"},
    {"records.untitled", "（未命名）"},
    {"records.working", "正在提交…"},

    {"valid.required", "此项必填。"},
    {"valid.integer", "请填写整数。"},
    {"valid.range", "应在 {0} 到 {1} 之间。"},
    {"valid.date", "请按“年-月-日”填写真实的日期，例如 2026-03-08。"},
    {"valid.phone", "请填写11位手机号（如 13812345678）或带区号的座机（如 0883-6123456）。"},
    {"valid.too_long", "太长了：最多 {0} 个字。"},
    {"valid.too_many", "最多 20 项。"},
    {"valid.bad_text", "含有无法保存的字符。"},
    {"valid.choice", "不是可选的值。"},
    {"valid.ref_missing", "所选记录不存在。"},
    {"valid.ref_archived", "所选记录已归档，请另选。"},

    {"error.missing_field", "有必填项没有填写。"},
    {"error.too_long", "有一项内容太长。"},
    {"error.bad_date", "日期应按“年-月-日”填写，并且是真实的日期。"},
    {"error.bad_phone", "电话号码格式不对：应为11位手机号或带区号的座机。"},
    {"error.out_of_range", "有一个数字超出了允许的范围。"},
    {"error.wrong_type", "有一项内容的格式不对。"},
    {"error.bad_text", "有一项内容含有无法保存的字符。"},
    {"error.bad_choice", "有一项选择的值不在可选范围内。"},
    {"error.duplicate_choice", "同一个选项选了两次。"},
    {"error.unknown_reference", "所选的关联记录不存在。"},
    {"error.archived_reference", "所选的关联记录已归档。"},
    {"error.nothing_to_change", "没有任何改动。"},
    {"error.already_exists", "这条记录已经存在。"},
    {"error.not_found", "这条记录不存在。"},
    {"error.archived", "这条记录已归档，先恢复才能修改。"},
    {"error.not_archived", "这条记录没有归档。"},
    {"error.bad_reason", "归档原因最多200个字。"},
    {"error.no_author", "请先在“设置”中填写本设备使用者的姓名。"},
    {"error.bad_device", "本设备没有有效的编号，暂时不能记录修改。"},
    {"error.read_only", "这个标签页只读，不能修改。"},
    {"error.storage_full", "本设备的存储空间已满，修改没有保存。"},

    {"settings.title", "设置"},
    {"settings.language", "语言"},
    {"settings.lang_zh", "中文"},
    {"settings.lang_en", "English"},
    {"settings.large_text", "大字模式（方便老年居民阅读）"},
    {"settings.large_text_note", "文字和按钮会明显变大。"},
    {"settings.author", "本设备使用者姓名"},
    {"settings.author_hint", "例如：王芳"},
    {"settings.author_save", "保存姓名"},
    {"settings.author_note", "每一条修改都会记下修改人：谁记录，谁负责。"},
    {"settings.author_saved", "姓名已保存。"},
    {"settings.device", "设备编号：{0}"},
    {"settings.storage_persistent", "浏览器已同意长期保留本设备上的数据。"},
    {"settings.storage_not_persistent", "浏览器尚未同意长期保留数据；空间紧张时可能被清除，请及时同步。"},
    {"settings.full_font", "生僻字字体：{0}"},
    {"settings.full_font_ready", "已就绪"},
    {"settings.full_font_pending", "正在后台下载，生僻字可能暂时显示为问号"},

    {"kind.grid", "网格"},
    {"kind.micro_grid", "微网格"},
    {"kind.station", "服务站点"},
    {"kind.household", "户"},
    {"kind.resident", "居民"},
    {"kind.squad", "服务队"},
    {"kind.volunteer_group", "志愿分组"},
    {"kind.volunteer", "志愿者"},
    {"kind.expert", "人才库专家"},
    {"kind.trainee", "培养对象"},

    {"field.grid.name", "网格名称"},
    {"field.grid.code", "网格编号"},
    {"field.grid.leader_name", "网格长"},
    {"field.grid.backing_department", "包保部门"},
    {"field.grid.note", "备注"},
    {"field.micro_grid.name", "微网格名称"},
    {"field.micro_grid.grid", "所属网格"},
    {"field.micro_grid.note", "备注"},
    {"field.station.name", "站点名称"},
    {"field.station.station_type", "类型"},
    {"field.station.address", "地址"},
    {"field.station.grid", "所在网格"},
    {"field.station.specialities", "特色服务"},
    {"field.station.rooms", "功能室"},
    {"field.station.opening_hours", "开放时间"},
    {"field.station.note", "备注"},
    {"field.household.address", "住址"},
    {"field.household.grid", "所在网格"},
    {"field.household.micro_grid", "所在微网格"},
    {"field.household.phone", "联系电话"},
    {"field.household.members", "家庭人口"},
    {"field.household.note", "备注"},
    {"field.resident.name", "姓名"},
    {"field.resident.household", "所在户"},
    {"field.resident.gender", "性别"},
    {"field.resident.birth_date", "出生日期"},
    {"field.resident.phone", "电话"},
    {"field.resident.relation", "与户主关系"},
    {"field.resident.ethnicity", "民族"},
    {"field.resident.note", "备注"},
    {"field.squad.name", "服务队名称"},
    {"field.squad.leader_name", "队长"},
    {"field.squad.note", "备注"},
    {"field.volunteer_group.name", "分组名称"},
    {"field.volunteer_group.squad", "所属服务队"},
    {"field.volunteer_group.note", "备注"},
    {"field.volunteer.resident", "居民"},
    {"field.volunteer.squad", "服务队"},
    {"field.volunteer.group", "志愿分组"},
    {"field.volunteer.skills", "特长"},
    {"field.volunteer.joined", "加入日期"},
    {"field.volunteer.guardian_consent", "监护人已同意（未成年人）"},
    {"field.volunteer.note", "备注"},
    {"field.expert.name", "姓名"},
    {"field.expert.fields", "专业领域"},
    {"field.expert.phone", "电话"},
    {"field.expert.grid", "负责网格"},
    {"field.expert.organisation", "工作单位"},
    {"field.expert.max_open_cases", "同时处理案件上限"},
    {"field.expert.available", "可以接案"},
    {"field.expert.note", "备注"},
    {"field.trainee.name", "姓名"},
    {"field.trainee.background", "来源"},
    {"field.trainee.mentor", "导师"},
    {"field.trainee.started", "开始培养日期"},
    {"field.trainee.phone", "电话"},
    {"field.trainee.note", "备注"},

    {"choice.station_type.hall", "党群服务大厅"},
    {"choice.station_type.station", "特色服务站点"},
    {"choice.gender.female", "女"},
    {"choice.gender.male", "男"},
    {"choice.relation.head", "户主"},
    {"choice.relation.spouse", "配偶"},
    {"choice.relation.child", "子女"},
    {"choice.relation.parent", "父母"},
    {"choice.relation.grandchild", "孙辈"},
    {"choice.relation.other", "其他"},
    {"choice.ethnicity.han", "汉族"},
    {"choice.ethnicity.yi", "彝族"},
    {"choice.ethnicity.dai", "傣族"},
    {"choice.ethnicity.bai", "白族"},
    {"choice.ethnicity.hani", "哈尼族"},
    {"choice.ethnicity.lahu", "拉祜族"},
    {"choice.ethnicity.other", "其他民族"},
    {"choice.skills.first_aid", "急救"},
    {"choice.skills.tutoring", "课业辅导"},
    {"choice.skills.legal", "法律"},
    {"choice.skills.elderly_care", "助老"},
    {"choice.skills.cleaning", "清洁"},
    {"choice.skills.photography", "摄影"},
    {"choice.skills.driving", "驾驶"},
    {"choice.skills.computer", "电脑"},
    {"choice.skills.cooking", "烹饪"},
    {"choice.skills.sports", "体育"},
    {"choice.skills.arts", "文艺"},
    {"choice.skills.tea", "茶艺"},
    {"choice.fields.legal_publicity", "法治宣传"},
    {"choice.fields.dispute_mediation", "矛盾纠纷调解"},
    {"choice.fields.business_development", "企业发展"},
    {"choice.fields.big_data", "大数据运用"},
    {"choice.fields.elderly_care", "养老服务"},
    {"choice.fields.health", "医疗健康"},
    {"choice.fields.education", "教育"},
    {"choice.fields.agriculture_tea", "农业与茶产业"},
    {"choice.fields.construction", "建设"},
    {"choice.fields.finance", "金融"},
    {"choice.fields.other", "其他"},
    {"choice.background.committee_member", "两委成员"},
    {"choice.background.new_worker", "新招聘社区工作者"},
};

// ---------------------------------------------------------------------------
// English
// ---------------------------------------------------------------------------
const std::vector<StringEntry> kEn = {
    {"app.title", "Dianhong · Dongcheng community"},
    {"app.subtitle", "Community workbench"},

    {"nav.home", "Home"},
    {"nav.kiosk", "Volunteer sign-up"},
    {"nav.schedule", "Scheduling"},
    {"nav.talent", "Talent pool"},
    {"nav.requests", "Residents' requests"},
    {"nav.deliberation", "Deliberation"},
    {"nav.projector", "Projector"},
    {"nav.sync", "Sync"},
    {"nav.base", "Base records"},
    {"nav.settings", "Settings"},

    {"area.not_built", "This part is not built yet."},
    {"area.will_do", "When it is built, it will:"},
    {"area.meanwhile", "Meanwhile, households, residents, volunteers, experts and the other records can be viewed and kept up to date under \"Base records\"."},
    {"area.kiosk.what",
     "Let residents sign up for volunteer shifts themselves on a tablet at the service hall or a station (after-school care, "
     "reading space, legal aid, indoor exercise, elderly care, charity events ...). Sign-up works with no network and syncs "
     "when the connection returns; buttons and text are large so older residents can use it."},
    {"area.schedule.what",
     "Help coordinators plan volunteer shifts at the service hall and the four stations, find and fill gaps, prevent "
     "clashing sign-ups, and record every hour served per volunteer and per household (checked-in hours kept apart from "
     "hours added by hand)."},
    {"area.talent.what",
     "Match residents' requests and disputes to the right one of the 103 experts by field, availability, grid and current "
     "workload, as a shortlist with reasons; and pair the 7 trainees with mentors on real cases."},
    {"area.requests.what",
     "Record residents' requests and disputes the way the community works (online collection, offline handling, real-time "
     "feedback) and follow each one until the resident hears the outcome."},
    {"area.deliberation.what",
     "Run the two tiers of resident councils: level 1 (an owners' committee or a grid) and level 2 (the whole community, at "
     "least once a quarter). Record topics, attendance and votes: one vote per person, a changed vote replaces the earlier one."},
    {"area.projector.what",
     "Show the meeting's agenda and the results the chair publishes on the projector in the deliberation room; a projector "
     "that has lost its updates says so instead of showing stale numbers."},
    {"area.sync.what",
     "Exchange records with the community's server when online, and show the changes waiting to be sent and any that were "
     "rejected, with the reason. Without a network everything keeps working and catches up later."},

    {"home.title", "Community at a glance"},
    {"home.households", "Households"},
    {"home.residents", "Residents"},
    {"home.volunteers", "Volunteers"},
    {"home.volunteer_households", "Households with a volunteer"},
    {"home.experts", "Talent-pool experts"},
    {"home.trainees", "Trainees"},
    {"home.stations", "Service stations"},
    {"home.halls", "Service hall"},
    {"home.grids", "Grids"},
    {"home.micro_grids", "Micro-grids"},
    {"home.squads", "Squads"},
    {"home.groups", "Volunteer groups"},
    {"home.share", "{0}% of all households"},
    {"home.counted", "These figures are counted from the records on this device."},
    {"home.empty", "There are no records on this device yet. Create them under \"Base records\" or sync from the server."},

    {"status.saved", "Saved on this device"},
    {"status.saving", "Saving..."},
    {"status.online", "Online"},
    {"status.offline", "Offline"},
    {"status.device", "Device: {0}"},
    {"status.no_device", "Device: not set"},
    {"status.ops", "{0} operations"},
    {"status.author", "User: {0}"},
    {"status.no_author", "User: not set (see Settings)"},
    {"status.persistent", "Persistent storage"},
    {"status.read_only", "This tab is read-only: {0}"},
    {"status.read_only_default", "Another tab is using this device's data; this tab can only view, not change."},
    {"status.storage_error", "Not saved: {0}"},
    {"status.problem", "Problem found when opening the data: {0}"},
    {"status.dismiss", "Dismiss"},
    {"status.update", "A new version is available. The data on this device is saved before it reloads."},
    {"status.update_button", "Update now"},

    {"records.kinds", "Record type"},
    {"records.search_hint", "Search (name, address, phone, id)"},
    {"records.show_archived", "Show archived"},
    {"records.new", "New"},
    {"records.count", "{0} records"},
    {"records.count_filtered", "{0} found (of {1})"},
    {"records.none", "No records match."},
    {"records.pick", "Choose a record in the list to view or change it, or press \"New\"."},
    {"records.col_title", "Name"},
    {"records.col_state", "State"},
    {"records.archived_badge", "Archived"},
    {"records.new_title", "New: {0}"},
    {"records.edit_title", "{0}: {1}"},
    {"records.save", "Save"},
    {"records.create", "Create"},
    {"records.cancel", "Cancel"},
    {"records.discard", "Discard changes"},
    {"records.archive", "Archive"},
    {"records.archive_title", "Archive this record"},
    {"records.archive_reason", "Reason (e.g. moved away)"},
    {"records.archive_confirm", "Archive it"},
    {"records.restore", "Restore"},
    {"records.required", "(required)"},
    {"records.unsaved", "Unsaved changes"},
    {"records.changed_elsewhere",
     "This record was changed while you were editing (perhaps on another device). Saving writes only the fields you changed."},
    {"records.gone", "This record is no longer on this device."},
    {"records.saved", "Saved."},
    {"records.created", "Created."},
    {"records.archived_done", "Archived."},
    {"records.restored", "Restored."},
    {"records.failed", "Not saved: {0}"},
    {"records.fix_fields", "Please correct the fields marked in red first."},
    {"records.read_only", "This tab is read-only; changes cannot be made here."},
    {"records.archived_note", "This record is archived; restore it to change it."},
    {"records.created_by", "Created by: {0}"},
    {"records.id", "ID: {0}"},
    {"records.none_choice", "(none)"},
    {"records.ref_search", "Type to search"},
    {"records.ref_missing", "(not found: {0})"},
    {"records.ref_archived", "(archived)"},
    {"records.list_hint", "One item per line"},
    {"records.yes", "Yes"},
    {"records.no", "No"},
    {"records.untitled", "(untitled)"},
    {"records.working", "Submitting..."},

    {"valid.required", "This field is required."},
    {"valid.integer", "Enter a whole number."},
    {"valid.range", "Must be between {0} and {1}."},
    {"valid.date", "Enter a real date as YYYY-MM-DD, e.g. 2026-03-08."},
    {"valid.phone", "Enter an 11-digit mobile number (e.g. 13812345678) or a landline with area code (e.g. 0883-6123456)."},
    {"valid.too_long", "Too long: at most {0} characters."},
    {"valid.too_many", "At most 20 items."},
    {"valid.bad_text", "Contains characters that cannot be stored."},
    {"valid.choice", "Not one of the choices."},
    {"valid.ref_missing", "The chosen record does not exist."},
    {"valid.ref_archived", "The chosen record is archived; choose another."},

    {"error.missing_field", "A required field is empty."},
    {"error.too_long", "A field is too long."},
    {"error.bad_date", "A date must be a real date written YYYY-MM-DD."},
    {"error.bad_phone", "A phone number must be an 11-digit mobile or a landline with area code."},
    {"error.out_of_range", "A number is outside the allowed range."},
    {"error.wrong_type", "A field has the wrong form."},
    {"error.bad_text", "A field contains characters that cannot be stored."},
    {"error.bad_choice", "A choice is not one of the allowed values."},
    {"error.duplicate_choice", "The same choice is listed twice."},
    {"error.unknown_reference", "A linked record does not exist."},
    {"error.archived_reference", "A linked record is archived."},
    {"error.nothing_to_change", "Nothing was changed."},
    {"error.already_exists", "This record already exists."},
    {"error.not_found", "This record does not exist."},
    {"error.archived", "This record is archived; restore it to change it."},
    {"error.not_archived", "This record is not archived."},
    {"error.bad_reason", "The reason for archiving can be at most 200 characters."},
    {"error.no_author", "Enter the name of the person using this device under Settings first."},
    {"error.bad_device", "This device has no valid id, so changes cannot be recorded yet."},
    {"error.read_only", "This tab is read-only; changes cannot be made here."},
    {"error.storage_full", "This device's storage is full; the change was not saved."},

    {"settings.title", "Settings"},
    {"settings.language", "Language"},
    {"settings.lang_zh", "中文"},
    {"settings.lang_en", "English"},
    {"settings.large_text", "Large text (easier for older residents to read)"},
    {"settings.large_text_note", "Text and buttons become clearly larger."},
    {"settings.author", "Name of the person using this device"},
    {"settings.author_hint", "e.g. Wang Fang"},
    {"settings.author_save", "Save name"},
    {"settings.author_note", "Every change records who made it: whoever records, certifies."},
    {"settings.author_saved", "Name saved."},
    {"settings.device", "Device id: {0}"},
    {"settings.storage_persistent", "The browser has agreed to keep this device's data."},
    {"settings.storage_not_persistent",
     "The browser has not agreed to keep the data for good; it may be cleared when space runs low, so sync regularly."},
    {"settings.full_font", "Font for rare characters: {0}"},
    {"settings.full_font_ready", "ready"},
    {"settings.full_font_pending", "downloading in the background; rare characters may show as '?' for now"},

    {"kind.grid", "Grid"},
    {"kind.micro_grid", "Micro-grid"},
    {"kind.station", "Station"},
    {"kind.household", "Household"},
    {"kind.resident", "Resident"},
    {"kind.squad", "Squad"},
    {"kind.volunteer_group", "Volunteer group"},
    {"kind.volunteer", "Volunteer"},
    {"kind.expert", "Expert"},
    {"kind.trainee", "Trainee"},

    {"field.grid.name", "Grid name"},
    {"field.grid.code", "Grid code"},
    {"field.grid.leader_name", "Grid leader"},
    {"field.grid.backing_department", "Backing department"},
    {"field.grid.note", "Note"},
    {"field.micro_grid.name", "Micro-grid name"},
    {"field.micro_grid.grid", "Grid"},
    {"field.micro_grid.note", "Note"},
    {"field.station.name", "Station name"},
    {"field.station.station_type", "Type"},
    {"field.station.address", "Address"},
    {"field.station.grid", "Grid"},
    {"field.station.specialities", "Specialities"},
    {"field.station.rooms", "Rooms"},
    {"field.station.opening_hours", "Opening hours"},
    {"field.station.note", "Note"},
    {"field.household.address", "Address"},
    {"field.household.grid", "Grid"},
    {"field.household.micro_grid", "Micro-grid"},
    {"field.household.phone", "Phone"},
    {"field.household.members", "Members"},
    {"field.household.note", "Note"},
    {"field.resident.name", "Name"},
    {"field.resident.household", "Household"},
    {"field.resident.gender", "Gender"},
    {"field.resident.birth_date", "Date of birth"},
    {"field.resident.phone", "Phone"},
    {"field.resident.relation", "Relation to head of household"},
    {"field.resident.ethnicity", "Ethnicity"},
    {"field.resident.note", "Note"},
    {"field.squad.name", "Squad name"},
    {"field.squad.leader_name", "Squad leader"},
    {"field.squad.note", "Note"},
    {"field.volunteer_group.name", "Group name"},
    {"field.volunteer_group.squad", "Squad"},
    {"field.volunteer_group.note", "Note"},
    {"field.volunteer.resident", "Resident"},
    {"field.volunteer.squad", "Squad"},
    {"field.volunteer.group", "Volunteer group"},
    {"field.volunteer.skills", "Skills"},
    {"field.volunteer.joined", "Joined on"},
    {"field.volunteer.guardian_consent", "Guardian has consented (minors)"},
    {"field.volunteer.note", "Note"},
    {"field.expert.name", "Name"},
    {"field.expert.fields", "Fields of expertise"},
    {"field.expert.phone", "Phone"},
    {"field.expert.grid", "Grid covered"},
    {"field.expert.organisation", "Organisation"},
    {"field.expert.max_open_cases", "Most open cases at once"},
    {"field.expert.available", "Available for cases"},
    {"field.expert.note", "Note"},
    {"field.trainee.name", "Name"},
    {"field.trainee.background", "Background"},
    {"field.trainee.mentor", "Mentor"},
    {"field.trainee.started", "Training started"},
    {"field.trainee.phone", "Phone"},
    {"field.trainee.note", "Note"},

    {"choice.station_type.hall", "Party-and-masses service hall"},
    {"choice.station_type.station", "Service station"},
    {"choice.gender.female", "Female"},
    {"choice.gender.male", "Male"},
    {"choice.relation.head", "Head of household"},
    {"choice.relation.spouse", "Spouse"},
    {"choice.relation.child", "Child"},
    {"choice.relation.parent", "Parent"},
    {"choice.relation.grandchild", "Grandchild"},
    {"choice.relation.other", "Other"},
    {"choice.ethnicity.han", "Han"},
    {"choice.ethnicity.yi", "Yi"},
    {"choice.ethnicity.dai", "Dai"},
    {"choice.ethnicity.bai", "Bai"},
    {"choice.ethnicity.hani", "Hani"},
    {"choice.ethnicity.lahu", "Lahu"},
    {"choice.ethnicity.other", "Other"},
    {"choice.skills.first_aid", "First aid"},
    {"choice.skills.tutoring", "Tutoring"},
    {"choice.skills.legal", "Legal"},
    {"choice.skills.elderly_care", "Elderly care"},
    {"choice.skills.cleaning", "Cleaning"},
    {"choice.skills.photography", "Photography"},
    {"choice.skills.driving", "Driving"},
    {"choice.skills.computer", "Computers"},
    {"choice.skills.cooking", "Cooking"},
    {"choice.skills.sports", "Sports"},
    {"choice.skills.arts", "Arts"},
    {"choice.skills.tea", "Tea"},
    {"choice.fields.legal_publicity", "Legal publicity"},
    {"choice.fields.dispute_mediation", "Dispute mediation"},
    {"choice.fields.business_development", "Business development"},
    {"choice.fields.big_data", "Big-data use"},
    {"choice.fields.elderly_care", "Elderly care"},
    {"choice.fields.health", "Health"},
    {"choice.fields.education", "Education"},
    {"choice.fields.agriculture_tea", "Agriculture and tea"},
    {"choice.fields.construction", "Construction"},
    {"choice.fields.finance", "Finance"},
    {"choice.fields.other", "Other"},
    {"choice.background.committee_member", "Committee member"},
    {"choice.background.new_worker", "Newly hired community worker"},
};

using Index = std::unordered_map<std::string_view, const char*>;

const Index& index_of(Language lang) {
  static const Index zh = [] {
    Index i;
    for (const auto& e : kZh) i.emplace(e.key, e.text);
    return i;
  }();
  static const Index en = [] {
    Index i;
    for (const auto& e : kEn) i.emplace(e.key, e.text);
    return i;
  }();
  return lang == Language::en ? en : zh;
}

Language g_language = Language::zh_CN;

}  // namespace

const std::vector<StringEntry>& string_table(Language lang) { return lang == Language::en ? kEn : kZh; }

const char* find_text(Language lang, std::string_view key) {
  const Index& i = index_of(lang);
  auto it = i.find(key);
  return it == i.end() ? nullptr : it->second;
}

void set_current_language(Language lang) { g_language = lang; }
Language current_language() { return g_language; }

const char* tr(std::string_view key) {
  if (const char* t = find_text(g_language, key)) return t;
  Language other = g_language == Language::en ? Language::zh_CN : Language::en;
  if (const char* t = find_text(other, key)) return t;
  // Unknown key: return a stable copy of the key itself so it shows up plainly.
  static std::unordered_map<std::string, std::string> unknown;
  auto it = unknown.emplace(std::string(key), std::string(key)).first;
  return it->second.c_str();
}

std::string trf(std::string_view key, std::initializer_list<std::string> args) {
  std::string s = tr(key);
  size_t n = 0;
  for (const auto& a : args) {
    std::string ph = "{" + std::to_string(n++) + "}";
    for (size_t at = s.find(ph); at != std::string::npos; at = s.find(ph, at + a.size())) s.replace(at, ph.size(), a);
  }
  return s;
}

std::string label(std::string_view key, std::string_view id) {
  std::string s = tr(key);
  s += "##";
  s += id;
  return s;
}

std::string kind_label(std::string_view kind) {
  std::string key = "kind.";
  key += kind;
  return tr(key);
}

std::string field_label(std::string_view kind, std::string_view field) {
  std::string key = "field.";
  key += kind;
  key += '.';
  key += field;
  return tr(key);
}

std::string choice_label(std::string_view field, std::string_view value) {
  std::string key = "choice.";
  key += field;
  key += '.';
  key += value;
  if (find_text(g_language, key) || find_text(Language::zh_CN, key)) return tr(key);
  return std::string(value);
}

std::string error_text(std::string_view code, std::string_view message) {
  std::string key = "error.";
  key += code;
  if (g_language == Language::en && !message.empty()) return std::string(message);  // English messages are specific
  if (const char* t = find_text(g_language, key)) return t;
  return std::string(message);
}

}  // namespace dh::ui
