"""The one django-ninja API object, mounted at /api/v1/ (OpenAPI at /api/v1/openapi.json).

Every domain error becomes ``{code, message, details}`` with the error's status; ninja's own refusals are
reshaped to the same form (``zhifa.api.errors``) so that a client handles one error shape. Bodies are read
by one bounded JSON parser and answers never carry a non-JSON number (``zhifa.api.json_io``).
"""

from zhifa.analytics.api import router as analytics_router
from zhifa.analytics.deployment_api import router as analytics_deployment_router
from zhifa.analytics.report_api import router as analytics_reports_router
from zhifa.analytics.wall_api import router as analytics_wall_router
from zhifa.api.auth import api_auth
from zhifa.api.errors import ZhifaAPI, install_error_handlers
from zhifa.api.json_io import BoundedParser, FiniteJSONRenderer
from zhifa.cases.api import router as cases_router
from zhifa.cases.legal_api import router as legal_router
from zhifa.catalog.api import router as catalog_router
from zhifa.events.api import officers_router as event_officers_router
from zhifa.events.api import router as events_router
from zhifa.integrations.ai_alerts.api import router as ai_alerts_router
from zhifa.integrations.payments.api import router as payments_router
from zhifa.org.api import router as org_router
from zhifa.subjects.api import router as subjects_router

api = ZhifaAPI(
    title="智慧综合执法平台 API",
    version="1.0.0",
    urls_namespace="api-v1",
    auth=api_auth,
    parser=BoundedParser(),
    renderer=FiniteJSONRenderer(),
)
install_error_handlers(api)

api.add_router("/org", org_router, tags=["组织机构"])
api.add_router("/catalog", catalog_router, tags=["执法事项目录"])
api.add_router("/subjects", subjects_router, tags=["执法对象"])
api.add_router("/integrations", ai_alerts_router, auth=None, tags=["外部系统对接"])
api.add_router("/integrations", payments_router, auth=None, tags=["外部系统对接"])
api.add_router("/events", events_router, tags=["事件"])
api.add_router("/officers", event_officers_router, tags=["事件"])
api.add_router("/legal", legal_router, tags=["程序助手"])
api.add_router("/cases", cases_router, tags=["案件"])
api.add_router("/analytics", analytics_router, tags=["分析研判"])
api.add_router("/analytics/reports", analytics_reports_router, tags=["分析研判"])
api.add_router("/analytics", analytics_wall_router, tags=["分析研判"])
api.add_router("/analytics/deployment", analytics_deployment_router, tags=["分析研判"])
