from django.urls import path

from bhrplan.procurement import views

app_name = "procurement"

urlpatterns = [
    path("", views.screening_list, name="screening_list"),
    path("new/", views.screening_create, name="screening_create"),
    path("<int:screening_id>/", views.screening_detail, name="screening_detail"),
    path("<int:screening_id>/tender/", views.screening_tender, name="screening_tender"),
    path("<int:screening_id>/export.<str:fmt>", views.screening_export, name="screening_export"),
    path("<int:screening_id>/files.csv", views.screening_files_csv, name="screening_files_csv"),
]
